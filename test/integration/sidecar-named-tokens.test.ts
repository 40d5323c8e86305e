// Named tokens (issue 14) as the sidecar sees them: issued into real SQLite (digest only), admitted only on
// routes marked for them, refused once revoked; run tokens and the bot's token never pass as one.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRedactor } from "../../src/output/redact.js";
import {
  NAMED_TOKEN_PREFIX,
  NAMED_TOKEN_ROUTE,
  NamedTokens,
  requireNamed,
  type Sidecar,
  startSidecar,
  TokenIssueError,
} from "../../src/sidecar/index.js";
import { NamedTokenStore, openStore, type Store } from "../../src/store/index.js";
import { createMemorySidecarPorts } from "../support/memory-sidecar-ports.js";

const BOT_TOKEN = ["bot", "token", "FAKE", "0123456789abcdef"].join("-");
const redactor = createRedactor({ secrets: [BOT_TOKEN] });
const ALICE = "100000000000000001";
const BOB = "100000000000000002";

let store: Store;
let tokens: NamedTokens;
let sidecar: Sidecar;

beforeEach(async () => {
  store = openStore(":memory:");
  tokens = new NamedTokens({
    store: new NamedTokenStore(store.sqlite),
    // A configured token (a file or env entry): FAKE, built at run time.
    configured: [{ name: "cron", discordUserId: BOB, token: `${NAMED_TOKEN_PREFIX}${"c".repeat(43)}` }],
  });
  sidecar = await startSidecar({
    token: BOT_TOKEN,
    port: 0,
    redact: redactor.redact,
    ports: createMemorySidecarPorts(["s-1"]),
    namedTokens: tokens,
    routes: [
      (app, context) => {
        app.get("/api/whoami", NAMED_TOKEN_ROUTE, async (request, reply) => {
          const who = requireNamed(context, request, reply, "Asking who you are");
          return who ? { who } : reply;
        });
      },
    ],
  });
});
afterEach(async () => {
  await sidecar.close();
  store.close();
});

function call(token: string | undefined, path: string) {
  return fetch(`${sidecar.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
}

describe("named tokens", () => {
  it("an issued token acts for its user on a named route; only its digest is stored", async () => {
    const { token } = tokens.issue({ name: "laptop", discordUserId: ALICE, createdBy: ALICE });
    expect(token.startsWith(NAMED_TOKEN_PREFIX)).toBe(true);
    const response = await call(token, "/api/whoami");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ who: { name: "laptop", discordUserId: ALICE } });
    const rows = store.sqlite.prepare("select * from named_tokens").all();
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(JSON.stringify(rows)).not.toContain(token.slice(NAMED_TOKEN_PREFIX.length));
  });

  it("a revoked token is refused with 401 at once, and the name can be issued again", async () => {
    const { token } = tokens.issue({ name: "ci", discordUserId: ALICE, createdBy: ALICE });
    expect((await call(token, "/api/whoami")).status).toBe(200);
    expect(tokens.revoke(ALICE, "ci")).toBe("revoked");
    expect((await call(token, "/api/whoami")).status).toBe(401);
    const again = tokens.issue({ name: "ci", discordUserId: ALICE, createdBy: ALICE });
    expect((await call(again.token, "/api/whoami")).status).toBe(200);
    expect(tokens.revoke(ALICE, "ci")).toBe("revoked");
    expect(tokens.revoke(ALICE, "ci")).toBe("unknown");
  });

  it("a person revokes only their own tokens, and two people may use the same name", () => {
    tokens.issue({ name: "laptop", discordUserId: ALICE, createdBy: ALICE });
    expect(tokens.revoke(BOB, "laptop")).toBe("unknown");
    tokens.issue({ name: "laptop", discordUserId: BOB, createdBy: BOB });
    expect(tokens.list(ALICE).map((t) => t.name)).toEqual(["laptop"]);
    expect(tokens.list(BOB).map((t) => [t.name, t.configured])).toEqual([
      ["cron", true],
      ["laptop", false],
    ]);
  });

  it("a second live token of the same name, or a name with spaces, is refused with what to do", () => {
    tokens.issue({ name: "ci", discordUserId: ALICE, createdBy: ALICE });
    expect(() => tokens.issue({ name: "ci", discordUserId: ALICE, createdBy: ALICE })).toThrow(
      /already have a token named `ci`. Revoke it first/,
    );
    expect(() => tokens.issue({ name: "my token", discordUserId: ALICE, createdBy: ALICE })).toThrow(
      TokenIssueError,
    );
    expect(tokens.revoke(BOB, "cron")).toBe("configured");
  });

  it("a configured token authenticates without being stored", async () => {
    const response = await call(`${NAMED_TOKEN_PREFIX}${"c".repeat(43)}`, "/api/whoami");
    expect(await response.json()).toEqual({ who: { name: "cron", discordUserId: BOB } });
    expect(store.sqlite.prepare("select count(*) as n from named_tokens").get()).toEqual({ n: 0 });
  });

  it("a named token gets 403 on the routes of runs and on /metrics", async () => {
    const { token } = tokens.issue({ name: "ci", discordUserId: ALICE, createdBy: ALICE });
    expect((await call(token, "/metrics")).status).toBe(403);
    expect((await call(token, "/api/commands/poll?session_id=s-1")).status).toBe(403);
    const event = await fetch(`${sidecar.url}/api/webhook/event`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ session_id: "s-1", event_type: "x", content: "y", timestamp: Date.now() }),
    });
    expect(event.status).toBe(403);
  });

  it("a run's token and the bot's own get 403 on a named route, saying what to use", async () => {
    const grant = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    const byRun = await call(grant.token, "/api/whoami");
    expect(byRun.status).toBe(403);
    expect(((await byRun.json()) as { message: string }).message).toMatch(/not for a run's token/);
    const byBot = await call(BOT_TOKEN, "/api/whoami");
    expect(byBot.status).toBe(403);
    expect(((await byBot.json()) as { message: string }).message).toMatch(/needs a named token/);
    grant.revoke();
  });

  it("a token whose user is no longer allowed authenticates as nobody, issued or configured", () => {
    const allowed = new Set([ALICE, BOB]);
    const gated = new NamedTokens({
      store: new NamedTokenStore(store.sqlite),
      configured: [{ name: "cron", discordUserId: BOB, token: `${NAMED_TOKEN_PREFIX}${"c".repeat(43)}` }],
      isAllowed: (id) => allowed.has(id),
    });
    const { token } = gated.issue({ name: "ci", discordUserId: ALICE, createdBy: ALICE });
    expect(gated.authenticate(token)).toEqual({ name: "ci", discordUserId: ALICE });
    allowed.delete(ALICE);
    allowed.delete(BOB);
    expect(gated.authenticate(token)).toBeUndefined();
    expect(gated.authenticate(`${NAMED_TOKEN_PREFIX}${"c".repeat(43)}`)).toBeUndefined();
  });

  it("a named token is redacted wherever the bot's redactor runs", () => {
    const { token } = tokens.issue({ name: "ci", discordUserId: ALICE, createdBy: ALICE });
    expect(createRedactor({ secrets: [] }).redact(`my token is ${token} ok`)).not.toContain(token);
  });
});
