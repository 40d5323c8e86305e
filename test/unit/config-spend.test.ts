// The spend and retention settings: off by default, parsed with their per-channel overrides, and a bad
// value named with what was expected and how to fix it.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ConfigError, loadConfig } from "../../src/config/index.js";

const VALID = {
  DISCORD_BOT_TOKEN: ["MTIzNDU2Nzg5MDEyMzQ1Njc4", "GabcDe", "fakefakefakefakefakefakefakefake"].join("."),
  DISCORD_GUILD_ID: "111111111111111111",
  DISCORD_CHANNEL_ID: "222222222222222222",
  DISCORD_ALLOWED_USERS: "333333333333333333",
} satisfies NodeJS.ProcessEnv;
const CHANNEL = "444444444444444444";

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "ompcord-config-spend-"));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

const load = (env: NodeJS.ProcessEnv) => loadConfig({ env: { ...VALID, ...env }, cwd });
function problemsOf(env: NodeJS.ProcessEnv) {
  try {
    load(env);
  } catch (error) {
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("spend caps and retention settings", () => {
  it("are all off by default, the day counted in UTC", () => {
    const config = load({});
    expect(config.spend).toEqual({
      run: { tokens: undefined, cost: undefined },
      day: { tokens: undefined, cost: undefined },
      channels: {},
      timeZone: "UTC",
    });
    expect(config.retention.days).toBeUndefined();
  });

  it("reads overall caps, per-channel caps and a time zone", () => {
    const config = load({
      OMPCORD_CAP_RUN_TOKENS: "200000",
      OMPCORD_CAP_RUN_COST: "0.50",
      OMPCORD_CAP_DAY_COST: "20",
      OMPCORD_CHANNEL_CAP_RUN_TOKENS: `${CHANNEL}=5000`,
      OMPCORD_CHANNEL_CAP_DAY_COST: `${CHANNEL}=2.5`,
      OMPCORD_TIMEZONE: "Europe/Berlin",
      OMPCORD_RETENTION_DAYS: "30",
    });
    expect(config.spend.run).toEqual({ tokens: 200_000, cost: 0.5 });
    expect(config.spend.day).toEqual({ tokens: undefined, cost: 20 });
    expect(config.spend.channels).toEqual({ [CHANNEL]: { run: { tokens: 5000 }, day: { cost: 2.5 } } });
    expect(config.spend.timeZone).toBe("Europe/Berlin");
    expect(config.retention.days).toBe(30);
  });

  it("names each bad value with what was expected and the fix", () => {
    const problems = problemsOf({
      OMPCORD_CAP_RUN_TOKENS: "lots",
      OMPCORD_CAP_DAY_COST: "$5",
      OMPCORD_CHANNEL_CAP_RUN_COST: `${CHANNEL}=0.5,general=2`,
      OMPCORD_TIMEZONE: "Mars/Olympus",
      OMPCORD_RETENTION_DAYS: "0",
    });
    const by = Object.fromEntries(problems.map((p) => [p.variable, p]));
    expect(by.OMPCORD_CAP_RUN_TOKENS?.expected).toMatch(/whole number of tokens/);
    expect(by.OMPCORD_CAP_DAY_COST?.fix).toMatch(/no currency sign/);
    expect(by.OMPCORD_CHANNEL_CAP_RUN_COST?.received).toBe("general=2");
    expect(by.OMPCORD_TIMEZONE?.expected).toMatch(/IANA time zone/);
    expect(by.OMPCORD_RETENTION_DAYS?.received).toBe("0");
  });

  it("a cost cap of 0 is refused: removing it is how a cap is turned off", () => {
    expect(problemsOf({ OMPCORD_CAP_RUN_COST: "0" }).map((p) => p.variable)).toEqual([
      "OMPCORD_CAP_RUN_COST",
    ]);
  });
});
