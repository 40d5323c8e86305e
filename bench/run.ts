// `npm run bench [-- <scenario>…]`: runs benchmark scenarios (all by default), prints their figures
// and writes each as JSON to bench/results/<scenario>-<timestamp>.json with the machine it ran on.
import { mkdirSync, writeFileSync } from "node:fs";
import { arch, cpus, loadavg, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { OMP_BIN } from "../test/support/omp-home.js";
import { approvals } from "./scenarios/approvals.js";
import { botFlood, botFloodLoaded } from "./scenarios/bot-flood.js";
import { botLaunchLatency } from "./scenarios/bot-launch-latency.js";
import { botOverhead } from "./scenarios/bot-overhead.js";
import { emulatorThroughput } from "./scenarios/emulator-throughput.js";
import { extensionOverhead } from "./scenarios/extension-overhead.js";
import { playgroundStartup } from "./scenarios/playground-startup.js";
import { redactor } from "./scenarios/redactor.js";
import { runnerOverhead } from "./scenarios/runner-overhead.js";
import { sandboxOverhead } from "./scenarios/sandbox-overhead.js";
import { steerLatency } from "./scenarios/steer-latency.js";
import { throughput } from "./scenarios/throughput.js";
import type { Scenario } from "./scenarios/types.js";

/** Every scenario by name; add new ones here. */
const SCENARIOS: Record<string, Scenario> = {
  [runnerOverhead.name]: runnerOverhead,
  [sandboxOverhead.name]: sandboxOverhead,
  [throughput.name]: throughput,
  [emulatorThroughput.name]: emulatorThroughput,
  [botFlood.name]: botFlood,
  [botFloodLoaded.name]: botFloodLoaded,
  [botLaunchLatency.name]: botLaunchLatency,
  [botOverhead.name]: botOverhead,
  [redactor.name]: redactor,
  [extensionOverhead.name]: extensionOverhead,
  [playgroundStartup.name]: playgroundStartup,
  [steerLatency.name]: steerLatency,
  [approvals.name]: approvals,
};

const RESULTS_DIR = join(import.meta.dirname, "results");

async function machine() {
  const omp = await execa(OMP_BIN, ["--version"], { reject: false, stdin: "ignore" });
  return {
    platform: platform(),
    release: release(),
    arch: arch(),
    cpuModel: cpus()[0]?.model,
    cpuCount: cpus().length,
    totalMemMB: Math.round(totalmem() / 1024 / 1024),
    loadAverage: loadavg().map((v) => Number(v.toFixed(2))),
    node: process.version,
    omp: omp.stdout.trim() || undefined,
  };
}

async function main() {
  const requested = process.argv.slice(2).filter((arg) => arg !== "--");
  const unknown = requested.filter((name) => !SCENARIOS[name]);
  if (unknown.length > 0) {
    console.error(
      `Unknown scenario ${unknown.map((n) => `\`${n}\``).join(", ")}. Choose from: ${Object.keys(SCENARIOS).join(", ")} (or none for all).`,
    );
    process.exit(2);
  }
  const names = requested.length > 0 ? requested : Object.keys(SCENARIOS);
  mkdirSync(RESULTS_DIR, { recursive: true });
  for (const name of names) {
    const scenario = SCENARIOS[name]!;
    console.log(`\n▶ ${scenario.name}: ${scenario.description}`);
    const startedAt = new Date();
    const figures = await scenario.run({ log: (message) => console.log(`  ${message}`) });
    const record = {
      scenario: scenario.name,
      description: scenario.description,
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      figures,
      machine: await machine(),
    };
    const file = join(RESULTS_DIR, `${scenario.name}-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    console.log(JSON.stringify(figures, null, 2));
    console.log(`  saved ${file}`);
  }
}

await main();
