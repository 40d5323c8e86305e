// What a sandboxed run gets from the person's own omp settings, on real files and a real agent.db: the
// model providers, the model keys of config.yml and the stored logins, and nothing else.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { copyModelSettings, personalAgentDir } from "../../src/omp/agent-settings.js";

let dir: string;
let from: string;
let to: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ompcord-agent-settings-"));
  from = join(dir, "person", ".omp", "agent");
  to = join(dir, "run-agent");
  mkdirSync(from, { recursive: true });
  mkdirSync(to);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const MODELS = "providers:\n  local:\n    baseUrl: http://127.0.0.1:9/v1\n    apiKey: sk-local\n";

/** A person's agent.db: a stored login, and settings and usage that are theirs alone. */
function writeAgentDb(): void {
  const db = new Database(join(from, "agent.db"));
  db.exec(`
    CREATE TABLE auth_credentials (id INTEGER PRIMARY KEY, provider TEXT NOT NULL, credential_type TEXT NOT NULL, data TEXT NOT NULL, disabled_cause TEXT);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE model_usage (model_key TEXT PRIMARY KEY, last_used_at INTEGER);
  `);
  db.prepare("INSERT INTO auth_credentials (provider, credential_type, data) VALUES (?, ?, ?)").run(
    "anthropic",
    "oauth",
    '{"access":"FAKE-access","refresh":"FAKE-refresh"}',
  );
  db.prepare("INSERT INTO settings VALUES (?, ?)").run("extensions", '["/home/person/evil.ts"]');
  db.prepare("INSERT INTO model_usage VALUES (?, ?)").run("anthropic/x", 1);
  db.close();
}

describe("copyModelSettings", () => {
  it("copies models.yml, the model keys of config.yml and the stored logins, nothing else", () => {
    writeFileSync(join(from, "models.yml"), MODELS);
    writeFileSync(
      join(from, "config.yml"),
      [
        "modelRoles:\n  default: local/fake",
        "enabledModels: [local/fake]",
        "extensions: [/home/person/ext.ts]",
        "tools:\n  approval:\n    bash: prompt",
        "shellPath: /home/person/shell.sh",
        "",
      ].join("\n"),
    );
    writeAgentDb();
    for (const sub of ["extensions", "tools", "sessions", "hooks"]) {
      mkdirSync(join(from, sub));
      writeFileSync(join(from, sub, "planted.ts"), "export default () => {}");
    }

    const warnings: string[] = [];
    copyModelSettings(from, to, (message) => warnings.push(message));

    expect(warnings).toEqual([]);
    expect(readdirSync(to).sort()).toEqual(["agent.db", "config.yml", "models.yml"]);
    expect(readFileSync(join(to, "models.yml"), "utf8")).toBe(MODELS);
    expect(parse(readFileSync(join(to, "config.yml"), "utf8"))).toEqual({
      modelRoles: { default: "local/fake" },
      enabledModels: ["local/fake"],
    });
    const db = new Database(join(to, "agent.db"), { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    expect(tables).toEqual([{ name: "auth_credentials" }]);
    expect(db.prepare("SELECT provider, data FROM auth_credentials").all()).toEqual([
      { provider: "anthropic", data: '{"access":"FAKE-access","refresh":"FAKE-refresh"}' },
    ]);
    db.close();
  });

  it("writes no config.yml when the person's holds no model settings, and nothing when there is nothing", () => {
    writeFileSync(join(from, "config.yml"), "theme:\n  dark: x\n");
    copyModelSettings(from, to, () => {});
    expect(readdirSync(to)).toEqual([]);
  });

  it("a settings file it cannot read is left out with a warning, and the rest still comes", () => {
    writeFileSync(join(from, "models.yml"), MODELS);
    writeFileSync(join(from, "config.yml"), "modelRoles: [unclosed\n");
    writeFileSync(join(from, "agent.db"), "not a database");
    const warnings: string[] = [];
    copyModelSettings(from, to, (message) => warnings.push(message));
    expect(readdirSync(to)).toContain("models.yml");
    expect(warnings).toEqual([
      expect.stringContaining("could not copy the model settings of config.yml"),
      expect.stringContaining("could not copy the stored logins of agent.db"),
    ]);
  });
});

describe("personalAgentDir", () => {
  it("follows omp: PI_CODING_AGENT_DIR, its OMP_ spelling, a profile, else ~/.omp/agent", () => {
    expect(personalAgentDir({ HOME: "/h" })).toBe("/h/.omp/agent");
    expect(personalAgentDir({ HOME: "/h", OMP_PROFILE: "work" })).toBe("/h/.omp/profiles/work/agent");
    expect(personalAgentDir({ HOME: "/h", OMP_CODING_AGENT_DIR: "/o" })).toBe("/o");
    expect(personalAgentDir({ HOME: "/h", PI_CODING_AGENT_DIR: "/p", OMP_CODING_AGENT_DIR: "/o" })).toBe(
      "/p",
    );
  });
});
