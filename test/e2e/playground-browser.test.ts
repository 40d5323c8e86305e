// The local playground in a real browser, used as a person uses it: Chromium on the printed address,
// the real bot on the playground's Discord, real omp against the fake model. Everything is done through
// the page (typing, hovering, clicking) and checked on the page; the emulator is read only to prove
// what others would (not) see.

import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUN_WAIT_MS } from "../support/bot-harness.js";
import { artifactPath, launchBrowser, type TestBrowser } from "../support/browser.js";
import { bashThenReply, reply } from "../support/fake-model/index.js";
import { type PlaygroundHarness, startPlaygroundHarness } from "../support/playground.js";
import { SLEEP } from "../support/processes.js";

/** A real omp run under load: spawn, model round trips, the dashboard's paced edits (the harness's ceiling). */
const RUN_MS = RUN_WAIT_MS;
/** A name Chromium resolves to 127.0.0.1, as a DNS rebinding attacker's domain would. */
const REBOUND_HOST = "rebound.test";

/** The thread open beside the channel. */
const threadPane = (page: Page) => page.locator("section.thread-pane");
/** The pinned dashboard in a pane. */
const dashboardIn = (pane: Locator) =>
  pane.locator("article", { has: pane.page().locator(".pin-mark") }).last();
/** A message in a pane that is not the dashboard (whose output tail may quote the same words). */
const postIn = (pane: Locator, text: string) =>
  pane.locator("article", { hasText: text, hasNot: pane.page().locator(".pin-mark") });
/** A dashboard whose State field reads `state`. */
function dashboardState(pane: Locator, state: string): Locator {
  const page = pane.page();
  return dashboardIn(pane)
    .locator(".embed-field", { has: page.locator(".embed-field-name", { hasText: /^State$/ }) })
    .locator(".embed-field-value", { hasText: new RegExp(`^${state}`) });
}

/**
 * Approves the approval card that appears in the pane (the dashboard says 🟡 Waiting meanwhile); with a
 * page, the card is photographed first. The card then says who approved and loses its buttons.
 */
async function approveCard(pane: Locator, page?: Page): Promise<void> {
  const approve = pane.getByRole("button", { name: /(^|\s)Approve$/ });
  await approve.waitFor({ timeout: RUN_MS });
  await dashboardState(pane, "Waiting").waitFor({ timeout: RUN_MS });
  if (page) {
    await page.mouse.move(0, 0);
    await page.screenshot({ path: artifactPath("approval-card") });
  }
  await approve.click();
  await approve.waitFor({ state: "detached", timeout: RUN_MS });
}

async function sendInComposer(composer: Locator, text: string): Promise<void> {
  await composer.click();
  await composer.fill(text);
  await composer.press("Enter");
}

describe("the playground in a browser", () => {
  let pg: PlaygroundHarness;
  let browser: TestBrowser;
  let page: Page;
  let evil: Server | undefined;
  let evilOrigin: string;

  beforeAll(async () => {
    [pg, browser] = await Promise.all([
      startPlaygroundHarness(),
      launchBrowser([`--host-resolver-rules=MAP ${REBOUND_HOST} 127.0.0.1`]),
    ]);
    page = await browser.context.newPage();
    await page.goto(pg.url);
    await page.getByRole("heading", { name: "Welcome to #launch!" }).waitFor();
    // Another app on a localhost port, serving a page someone else wrote: the same site as the playground.
    evil = createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end("<!doctype html><title>another app</title>");
    });
    await new Promise<void>((resolve) => evil!.listen(0, "127.0.0.1", resolve));
    evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await pg?.close();
    await new Promise<void>((resolve) => (evil ? evil.close(() => resolve()) : resolve()));
  });

  it("opens on #launch with a clean address: the key moved into a cookie", async () => {
    expect(page.url()).toBe(`${pg.origin}/`);
    const cookies = await browser.context.cookies(pg.origin);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    expect(pg.output).toContain("local Discord");
    expect(pg.output).toContain("cp .env.example .env");
  });

  it(
    "a prompt reacted 🚀 opens its thread beside the channel; the dashboard goes Busy, then Idle with the answer",
    async () => {
      pg.model.on(
        "count the stars",
        bashThenReply(`${SLEEP} 4`, "There are **many** stars: `42` by my count."),
      );
      const composer = page.getByRole("textbox", { name: "Message #launch" });
      await sendInComposer(composer, "please count the stars");
      const mine = page.locator("main article", { hasText: "please count the stars" });
      await mine.waitFor();
      await page.screenshot({ path: artifactPath("channel") });
      await mine.hover();
      await mine.getByRole("button", { name: "React with 🚀" }).click();

      const pane = threadPane(page);
      await pane.waitFor({ timeout: RUN_MS });
      await dashboardState(pane, "Busy").waitFor({ timeout: RUN_MS });
      await page.mouse.move(0, 0); // no hover bar in the pictures
      await page.screenshot({ path: artifactPath("dashboard-busy") });
      // The playground keeps the README's default policy (`writes`): the command asks first, and the
      // person approves it on the card, as in Discord.
      await approveCard(pane, page);
      await dashboardState(pane, "Idle").waitFor({ timeout: RUN_MS });
      // The answer, rendered as Discord renders markdown.
      const answer = postIn(pane, "by my count");
      await answer.waitFor({ timeout: RUN_MS });
      expect(await answer.locator("strong").textContent()).toBe("many");
      expect(await answer.locator("code").textContent()).toBe("42");
      // The reaction is the person's own (highlighted) and the channel shows the thread under the message.
      await mine.getByRole("button", { name: "🚀 1" }).waitFor();
      expect(await mine.getByRole("button", { name: "🚀 1" }).getAttribute("aria-pressed")).toBe("true");
      await mine.getByRole("button", { name: /^Open thread Run:/ }).waitFor();
      // Colour bar and footer as Discord draws them.
      expect(await dashboardIn(pane).locator(".embed").getAttribute("data-embed-color")).toBe("#2ecc71");
      expect(await dashboardIn(pane).locator(".embed-footer").textContent()).toMatch(/^Session /);
      await page.mouse.move(0, 0);
      await page.screenshot({ path: artifactPath("thread-finished") });
    },
    RUN_MS * 3,
  );

  it(
    "a follow-up typed in the thread runs in the same session",
    async () => {
      pg.model.on("and the moons", reply("Follow-up answered: seven moons."));
      const pane = threadPane(page);
      await sendInComposer(pane.getByRole("textbox"), "and the moons?");
      await postIn(pane, "Follow-up answered: seven moons.").waitFor({ timeout: RUN_MS });
      await dashboardIn(pane)
        .locator(".embed-field", { has: page.locator(".embed-field-name", { hasText: /^Run$/ }) })
        .locator(".embed-field-value", { hasText: /^#2$/ })
        .waitFor({ timeout: RUN_MS });
      await dashboardState(pane, "Idle").waitFor({ timeout: RUN_MS });
    },
    RUN_MS * 2,
  );

  it(
    "/omp new typed in the composer, its subcommand and options offered as one types, starts a session",
    async () => {
      pg.model.on("introduce the playground", reply("Hello from /omp new in the playground."));
      const composer = page.getByRole("textbox", { name: "Message #launch" });
      await composer.click();
      await composer.fill("/omp n");
      const offered = page.getByRole("option", { name: /\/omp new/ });
      await offered.waitFor();
      await composer.press("Enter"); // picks the highlighted command, as in Discord
      await expect.poll(() => composer.inputValue()).toBe("/omp new prompt: ");
      await page.getByRole("option", { name: /name A name for the session thread/ }).waitFor();
      await composer.pressSequentially("introduce the playground");
      await composer.press("Enter");

      const pane = threadPane(page);
      await pane.getByText("Session: introduce the playground").first().waitFor({ timeout: RUN_MS });
      await postIn(pane, "Hello from /omp new in the playground.").waitFor({ timeout: RUN_MS });
      // The command's reply in the channel says who used which command, as Discord does.
      await page.locator("main .reply-context", { hasText: "alice used /omp new" }).first().waitFor();
    },
    RUN_MS * 2,
  );

  it(
    "Stop session on the dashboard archives the thread and keeps its history",
    async () => {
      // The thread /omp new opened is still beside the channel, its run finished.
      const pane = threadPane(page);
      await dashboardState(pane, "Idle").waitFor({ timeout: RUN_MS });
      await dashboardIn(pane).getByRole("button", { name: "Stop session" }).click();
      await pane.locator("header .archived-tag", { hasText: "Archived" }).waitFor({ timeout: RUN_MS });
      await postIn(pane, "Session stopped by").waitFor({ timeout: RUN_MS });
      await dashboardState(pane, "Idle · stopped").waitFor({ timeout: RUN_MS });
      // The history stays: the answer is still there.
      await postIn(pane, "Hello from /omp new in the playground.").waitFor();
    },
    RUN_MS * 2,
  );

  it(
    "Cancel on the dashboard stops a run in the middle of a sleep tool",
    async () => {
      pg.model.on("sleep for a while", bashThenReply(`${SLEEP} 300`, "never reached"));
      const composer = page.getByRole("textbox", { name: "Message #launch" });
      await sendInComposer(composer, "/omp new prompt: sleep for a while");
      const pane = threadPane(page);
      await pane.getByText("Session: sleep for a while").first().waitFor({ timeout: RUN_MS });
      await approveCard(pane);
      // The tool is running once the dashboard names it.
      await dashboardIn(pane)
        .getByText(/sleep 300/)
        .first()
        .waitFor({ timeout: RUN_MS });
      await dashboardIn(pane).getByRole("button", { name: "Cancel" }).click();
      await dashboardState(pane, "Degraded").waitFor({ timeout: RUN_MS });
      await postIn(pane, "was cancelled").first().waitFor({ timeout: RUN_MS });
    },
    RUN_MS * 2,
  );

  it("draws whatever components the bot sends, and offers its attachments as downloads", async () => {
    // Sent as the bot would send them (its token, its REST API): every button style, a select menu, a file.
    const { token, apiUrl, channelId } = pg.run.playground.discord;
    const button = (style: number, label: string) => ({
      type: 2,
      style,
      label,
      custom_id: `gallery:${label}`,
    });
    const form = new FormData();
    form.append(
      "payload_json",
      JSON.stringify({
        content: "Component gallery",
        attachments: [{ id: 0, filename: "answer.md" }],
        components: [
          {
            type: 1,
            components: [
              button(1, "Primary"),
              button(2, "Secondary"),
              button(3, "Success"),
              button(4, "Danger"),
              { type: 2, style: 5, label: "Docs", url: "https://example.com/docs" },
            ],
          },
          {
            type: 1,
            components: [
              {
                type: 3,
                custom_id: "gallery:colour",
                placeholder: "Pick a colour",
                options: [
                  { label: "Red", value: "red" },
                  { label: "Blue", value: "blue", description: "the calm one" },
                ],
              },
            ],
          },
        ],
      }),
    );
    form.append("files[0]", new Blob(["# The whole answer\n"], { type: "text/markdown" }), "answer.md");
    const sent = await fetch(`${apiUrl}/v10/channels/${channelId}/messages`, {
      method: "POST",
      headers: { Authorization: `Bot ${token}` },
      body: form,
    });
    expect(sent.status).toBe(200);

    const gallery = page.locator("main article", { hasText: "Component gallery" });
    await gallery.waitFor();
    for (const [label, style] of [
      ["Primary", "primary"],
      ["Secondary", "secondary"],
      ["Success", "success"],
      ["Danger", "danger"],
    ]) {
      expect(await gallery.getByRole("button", { name: label }).getAttribute("class")).toBe(
        `button ${style}`,
      );
    }
    expect(await gallery.getByRole("link", { name: /Docs/ }).getAttribute("href")).toBe(
      "https://example.com/docs",
    );

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      gallery.getByRole("link", { name: "answer.md", exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("answer.md");
    expect(readFileSync(await download.path(), "utf8")).toBe("# The whole answer\n");

    // A button the bot does not know: the click reaches the bot, which answers privately.
    await gallery.getByRole("button", { name: "Primary" }).click();
    await page
      .locator("main article.ephemeral", { hasText: "not one of ompcord's" })
      .waitFor({ timeout: RUN_MS });

    // Select menus are drawn and chosen from; the emulator cannot send their interaction yet (issue 10).
    await gallery.getByRole("button", { name: "Pick a colour" }).click();
    await gallery.getByRole("option", { name: /Blue/ }).click();
    await page.locator(".toast", { hasText: "cannot use this kind of component yet" }).waitFor();
  });

  it("a command typed and sent before the page has read the bot's commands still runs", async () => {
    const fresh = await browser.context.newPage();
    // The page reads the registered commands once "/" is typed; hold that read until Enter is pressed.
    let release!: () => void;
    const entered = new Promise<void>((resolve) => {
      release = resolve;
    });
    await fresh.route("**/api/commands?*", async (route) => {
      await entered;
      await route.continue();
    });
    await fresh.goto(pg.url);
    await fresh.getByRole("heading", { name: "Welcome to #launch!" }).waitFor();
    const composer = fresh.getByRole("textbox", { name: "Message #launch" });
    await sendInComposer(composer, "/omp version");
    release();
    await fresh.locator("main .reply-context", { hasText: "alice used /omp version" }).waitFor();
    await expect.poll(() => composer.inputValue()).toBe("");
    await fresh.close();
  });

  it("an ephemeral refusal shows on the person's page only, marked as such", async () => {
    const composer = page.getByRole("textbox", { name: "Message #launch" });
    await sendInComposer(composer, "/omp cancel");
    const refusal = page.locator("main article.ephemeral", { hasText: "not an ompcord session" });
    await refusal.waitFor({ timeout: RUN_MS });
    expect(await refusal.textContent()).toContain("Only you can see this");
    // Nobody else sees it: the channel (what every member reads) does not hold it.
    const world = pg.run.playground.discord;
    const visibleToAll = pg.emu.messages(world.channelId).map((m) => m.content);
    expect(visibleToAll.some((content) => content.includes("not an ompcord session"))).toBe(false);
  });

  it("a page of another local app cannot post, listen or reach the bot's gateway, though it is same-site", async () => {
    const page = await browser.context.newPage();
    await page.goto(evilOrigin);
    const gateway = pg.run.playground.discord.apiUrl.replace(/^http/, "ws").replace(/\/api$/, "/gateway");
    const outcome = await page.evaluate(
      async ({ target, channelId, gatewayUrl }) => {
        const post = await fetch(`${target}/api/messages`, {
          method: "POST",
          mode: "no-cors",
          credentials: "include",
          headers: { "Content-Type": "text/plain" },
          body: JSON.stringify({ channelId, content: "posted by another app" }),
        }).then(
          () => "sent",
          () => "failed",
        );
        const events = await new Promise<string>((resolve) => {
          const source = new EventSource(`${target}/events`, { withCredentials: true });
          source.onmessage = () => resolve("received");
          source.onerror = () => {
            source.close();
            resolve("refused");
          };
        });
        const socket = await new Promise<string>((resolve) => {
          const ws = new WebSocket(gatewayUrl);
          ws.onopen = () => resolve("open");
          ws.onerror = () => resolve("refused");
        });
        return { post, events, socket };
      },
      { target: pg.origin, channelId: pg.run.playground.discord.channelId, gatewayUrl: gateway },
    );
    expect(outcome.events).toBe("refused");
    expect(outcome.socket).toBe("refused");
    // A no-cors request is sent either way; what matters is that the playground did nothing with it.
    const contents = pg.emu.messages(pg.run.playground.discord.channelId).map((m) => m.content);
    expect(contents).not.toContain("posted by another app");
  });

  it("a foreign host name resolving to 127.0.0.1 (DNS rebinding) gets nothing, even with the key", async () => {
    const page = await browser.context.newPage();
    const port = new URL(pg.origin).port;
    const reply = await page.goto(
      `http://${REBOUND_HOST}:${port}/?key=${new URL(pg.url).searchParams.get("key")}`,
    );
    expect(reply?.status()).toBe(403);
    expect(await page.textContent("body")).toContain("answers only to 127.0.0.1 and localhost");
  });
});

describe("the playground when omp has no model", () => {
  let pg: PlaygroundHarness;
  let browser: TestBrowser;

  beforeAll(async () => {
    [pg, browser] = await Promise.all([startPlaygroundHarness({ noModel: true }), launchBrowser()]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await pg?.close();
  });

  it(
    "the first run's dashboard and the page both say how to give omp a model",
    async () => {
      const page = await browser.context.newPage();
      await page.goto(pg.url);
      const composer = page.getByRole("textbox", { name: "Message #launch" });
      await sendInComposer(composer, "/omp new prompt: hello there");
      const pane = threadPane(page);
      await dashboardState(pane, "Degraded").waitFor({ timeout: RUN_MS });
      const note = await dashboardIn(pane).locator(".embed-field", { hasText: "Note" }).textContent();
      expect(note).toContain("omp has no model");
      expect(note).toContain("npx omp");
      const banner = page.locator("[data-notice=no-model]");
      await banner.waitFor();
      expect(await banner.textContent()).toContain("ANTHROPIC_API_KEY");
    },
    RUN_MS * 2,
  );
});
