// Start-up of the local playground as a person meets it (issue 12): `npm run build` once (what `npm
// start` does first), then `node dist/main.js` with no Discord settings, timed to the printed address
// and to a usable page (key traded for the cookie, page and script loaded, the live channel's first
// snapshot in). Each start is in a fresh directory, so its data dir is new, as on a first run.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { execa } from "execa";
import { spawnBotProcess } from "../../test/support/bot-process.js";
import { createOmpHome } from "../../test/support/omp-home.js";
import { median, type Scenario } from "./types.js";

const ROOT = resolve(import.meta.dirname, "../..");
const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const ADDRESS = /Open {2}(http:\/\/127\.0\.0\.1:\d+\/\?key=\S+)/;

/** From the printed address to the first snapshot on the live channel, as the page loads it. */
async function loadPage(url: string): Promise<void> {
  const first = await fetch(url, { redirect: "manual" });
  const cookie = first.headers.get("set-cookie")?.split(";")[0];
  if (first.status !== 303 || !cookie) throw new Error(`the key was not accepted (${first.status})`);
  const origin = new URL(url).origin;
  const html = await (await fetch(`${origin}/`, { headers: { Cookie: cookie } })).text();
  for (const asset of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) {
    await (await fetch(`${origin}${asset[1]}`, { headers: { Cookie: cookie } })).arrayBuffer();
  }
  const controller = new AbortController();
  const events = await fetch(`${origin}/events`, { headers: { Cookie: cookie }, signal: controller.signal });
  const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes('"type":"hello"')) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the live channel closed before its snapshot");
    text += value;
  }
  controller.abort();
}

export const playgroundStartup: Scenario = {
  name: "playground-startup",
  description: `npm run build once, then node dist/main.js without Discord settings → printed address → usable page (median of ${STARTS} starts after a warm-up)`,
  async run({ log }) {
    const buildStarted = performance.now();
    await execa("npm", ["run", "build"], { cwd: ROOT, stdin: "ignore" });
    const buildMs = Math.round(performance.now() - buildStarted);
    log(`npm run build: ${buildMs} ms`);
    // omp is never run here; HOME only keeps the person's own settings out of it.
    const home = createOmpHome("http://127.0.0.1:9/v1");
    const toAddress: number[] = [];
    const toUsable: number[] = [];
    const toStopped: number[] = [];
    try {
      for (let i = 0; i <= STARTS; i++) {
        const cwd = mkdtempSync(join(tmpdir(), "ompcord-bench-playground-"));
        const started = performance.now();
        const bot = spawnBotProcess({
          // What `npm start` runs after its build: dist/main.js under plain node.
          script: `await import(${JSON.stringify(pathToFileURL(join(ROOT, "dist/main.js")).href)});`,
          env: { ...home.env, CI: "1" },
          cwd,
          readyMark: ADDRESS,
        });
        try {
          await bot.ready(120_000);
          const addressAt = performance.now();
          await loadPage(ADDRESS.exec(bot.output())![1]!);
          const usableAt = performance.now();
          const stopping = performance.now();
          await bot.stop();
          if (i === 0) continue; // warm-up: disk cache, first compile of native addons
          toAddress.push(addressAt - started);
          toUsable.push(usableAt - started);
          toStopped.push(performance.now() - stopping);
          log(
            `start ${i}/${STARTS}: address ${(addressAt - started).toFixed(0)} ms, usable ${(usableAt - started).toFixed(0)} ms`,
          );
        } finally {
          await bot.stop();
          rmSync(cwd, { recursive: true, force: true });
        }
      }
    } finally {
      home.cleanup();
    }
    const round = (values: number[]) => ({
      median: Math.round(median(values)),
      min: Math.round(Math.min(...values)),
      max: Math.round(Math.max(...values)),
    });
    return {
      starts: STARTS,
      buildMs,
      startToAddressMs: round(toAddress),
      startToUsablePageMs: round(toUsable),
      stopMs: round(toStopped),
    };
  },
};
