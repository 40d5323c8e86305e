import { describe, expect, it } from "vitest";
import {
  bwrapArgs,
  chooseSandbox,
  describeSandbox,
  nestingProblem,
  type SandboxRun,
  type SandboxSystem,
  UNSANDBOXED_EXPOSURE,
  UNSANDBOXED_EXPOSURE_SHORT,
} from "../../src/omp/sandbox.js";

const system: SandboxSystem = {
  bwrap: "/usr/bin/bwrap",
  systemDirs: [{ path: "/bin", linkTarget: "usr/bin" }, { path: "/lib64" }],
  etc: ["/etc/passwd", "/etc/ssl/certs"],
  runtime: ["/srv/ompcord/node_modules"],
};
const run: SandboxRun = {
  workDir: "/tmp/work/s1",
  sessionDir: "/srv/ompcord/.data/omp-sessions/s1",
  home: "/srv/ompcord/.data/sandbox/s1/home",
  agentDir: "/srv/ompcord/.data/sandbox/s1/agent",
  files: ["/srv/ompcord/.data/omp-overlay.yml"],
};

/** The value that follows each occurrence of `flag`, with the one after it for two-valued flags. */
function pairs(args: string[], flag: string): string[][] {
  return args.flatMap((arg, i) => (arg === flag ? [[args[i + 1]!, args[i + 2]!]] : []));
}

describe("bwrapArgs", () => {
  const args = bwrapArgs(system, run);

  it("binds the system, /etc's few files and omp's install read-only, and the run's directories writable", () => {
    expect(pairs(args, "--ro-bind")).toEqual(
      expect.arrayContaining([
        ["/usr", "/usr"],
        ["/lib64", "/lib64"],
        ["/etc/passwd", "/etc/passwd"],
        ["/etc/ssl/certs", "/etc/ssl/certs"],
        ["/srv/ompcord/node_modules", "/srv/ompcord/node_modules"],
        ["/srv/ompcord/.data/omp-overlay.yml", "/srv/ompcord/.data/omp-overlay.yml"],
      ]),
    );
    expect(pairs(args, "--bind").map(([source]) => source)).toEqual(
      expect.arrayContaining([run.workDir, run.sessionDir, run.home, run.agentDir]),
    );
    expect(pairs(args, "--bind")).toHaveLength(4);
    expect(pairs(args, "--symlink")).toContainEqual(["usr/bin", "/bin"]);
  });

  it("never binds the checkout, its .env, the data dir or the bot's home: only the named paths", () => {
    const sources = [...pairs(args, "--bind"), ...pairs(args, "--ro-bind")].map(([source]) => source);
    for (const hidden of ["/srv/ompcord", "/srv/ompcord/.env", "/srv/ompcord/.data", "/", "/etc", "/home"]) {
      expect(sources).not.toContain(hidden);
    }
  });

  it("gives the run a private /tmp before anything is bound below it, and its own namespaces", () => {
    const tmpfs = args.indexOf("/tmp");
    expect(args[tmpfs - 1]).toBe("--tmpfs");
    expect(args[tmpfs - 2]).toBe("1777");
    expect(args.indexOf(run.workDir)).toBeGreaterThan(tmpfs);
    for (const flag of [
      "--unshare-pid",
      "--unshare-ipc",
      "--unshare-uts",
      "--die-with-parent",
      "--new-session",
    ]) {
      expect(args).toContain(flag);
    }
    expect(args).not.toContain("--unshare-net");
    expect(args).not.toContain("--share-net");
  });

  it("makes each mount point's parents explicitly, passable by the agent, before the bind", () => {
    const dirs = pairs(args, "--dir").map(([dir]) => dir);
    for (const parent of ["/srv", "/srv/ompcord", "/srv/ompcord/.data", "/tmp/work", "/etc/ssl"]) {
      const at = args.indexOf(parent);
      expect(dirs, parent).toContain(parent);
      expect(args[at - 2], parent).toBe("0755");
    }
    expect(args.indexOf("/srv/ompcord/.data")).toBeLessThan(args.indexOf(run.sessionDir));
    // Made once each, never over a directory that is itself bound.
    expect(new Set(dirs).size).toBe(dirs.length);
    expect(dirs).not.toContain("/srv/ompcord/node_modules");
  });

  it("sets the private home and agent dir, and unsets what points at the bot's own files", () => {
    expect(pairs(args, "--setenv")).toEqual(
      expect.arrayContaining([
        ["HOME", run.home],
        ["TMPDIR", "/tmp"],
        ["PI_CODING_AGENT_DIR", run.agentDir],
      ]),
    );
    const unset = args.flatMap((arg, i) => (arg === "--unsetenv" ? [args[i + 1]] : []));
    expect(unset).toEqual(
      expect.arrayContaining(["XDG_CONFIG_HOME", "PI_CONFIG_FILES", "OMP_CODING_AGENT_DIR"]),
    );
  });

  it("as the bot's own user: a user namespace without any capability, omp right after `--`", () => {
    expect(args).toContain("--unshare-user");
    expect(args.slice(args.indexOf("--cap-drop"), args.indexOf("--cap-drop") + 2)).toEqual([
      "--cap-drop",
      "ALL",
    ]);
    expect(args).not.toContain("--cap-add");
    expect(args.at(-1)).toBe("--");
    expect(args.filter((arg) => arg === "--")).toHaveLength(1);
  });

  it("as root: no user namespace (root's files keep their owner), then setpriv to the account with nothing left", () => {
    const rooted = bwrapArgs(
      { ...system, dropTo: { uid: 65534, gid: 65534, setpriv: "/usr/bin/setpriv" } },
      run,
    );
    expect(rooted).not.toContain("--unshare-user");
    const command = rooted.slice(rooted.indexOf("--") + 1);
    expect(command).toEqual([
      "/usr/bin/setpriv",
      "--reuid=65534",
      "--regid=65534",
      "--clear-groups",
      "--inh-caps=-all",
      "--bounding-set=-all",
      "--",
    ]);
    const added = rooted.flatMap((arg, i) => (arg === "--cap-add" ? [rooted[i + 1]] : []));
    expect(added).toEqual(["CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP"]);
  });
});

describe("nestingProblem", () => {
  it("accepts directories apart from one another", () => {
    expect(nestingProblem(system, run)).toBeUndefined();
  });

  it("refuses a working directory that holds omp's install or another of the run's directories", () => {
    expect(nestingProblem(system, { ...run, workDir: "/srv/ompcord" })).toContain(
      "lies inside /srv/ompcord, which the agent can write",
    );
    expect(nestingProblem(system, { ...run, workDir: "/srv/ompcord/.data/sandbox" })).toContain(
      "lies inside /srv/ompcord/.data/sandbox",
    );
  });
});

describe("chooseSandbox", () => {
  const works = { ok: true as const, user: "nobody (uid 65534)" };
  const fails = { ok: false as const, reason: "bubblewrap (bwrap) is not installed", fix: "Install it." };

  it("auto and required sandbox when the trial worked", () => {
    expect(chooseSandbox("auto", works)).toEqual({
      status: { mode: "auto", active: true, user: "nobody (uid 65534)" },
      useSandbox: true,
    });
    expect(chooseSandbox("required", works)).toMatchObject({ useSandbox: true });
  });

  it("auto starts without a sandbox when the trial failed, carrying the reason and the fix", () => {
    expect(chooseSandbox("auto", fails)).toEqual({
      status: { mode: "auto", active: false, reason: fails.reason, fix: fails.fix },
      useSandbox: false,
    });
  });

  it("required refuses to start without one; a wrong account the person set is refused in auto too", () => {
    expect(chooseSandbox("required", fails)).toEqual({ refuse: { reason: fails.reason, fix: fails.fix } });
    expect(chooseSandbox("auto", { ...fails, userSettingWrong: true })).toHaveProperty("refuse");
  });

  it("off never uses one, whatever a trial would say", () => {
    expect(chooseSandbox("off", works)).toEqual({ status: { mode: "off" }, useSandbox: false });
  });
});

describe("describeSandbox", () => {
  it("says plainly what an unsandboxed run can reach, and is ❌ only when a sandbox was wanted", () => {
    const fallback = describeSandbox({ mode: "auto", active: false, reason: "no bwrap", fix: "Install it." });
    expect(fallback.ok).toBe(false);
    expect(fallback.detail).toContain("NOT sandboxed (OMPCORD_SANDBOX=auto)");
    expect(fallback.detail).toContain(UNSANDBOXED_EXPOSURE_SHORT);
    expect(fallback.detail).toContain("Cause: no bwrap");
    expect(fallback.log).toContain(UNSANDBOXED_EXPOSURE);
    expect(fallback.log).toContain("no bwrap");
    expect(fallback.log).toContain("Install it.");
    expect(UNSANDBOXED_EXPOSURE).toContain("Discord token");

    const off = describeSandbox({ mode: "off" });
    expect(off.ok).toBe(true);
    expect(off.detail).toContain(UNSANDBOXED_EXPOSURE_SHORT);
    expect(off.log).toContain(UNSANDBOXED_EXPOSURE);

    const on = describeSandbox({ mode: "auto", active: true, user: "nobody (uid 65534)" });
    expect(on.ok).toBe(true);
    expect(on.detail).toContain("each run sees only its working directory");
    expect(on.detail).toContain("nobody (uid 65534)");
  });

  it("keeps the /omp health line within what Discord shows of it (300 characters), the cause clipped at its end", () => {
    const reason = `a trial sandbox did not start (${"x".repeat(400)})`;
    const fallback = describeSandbox({ mode: "auto", active: false, reason, fix: "Do this." });
    expect(fallback.detail.length).toBeLessThanOrEqual(300);
    expect(fallback.detail).toContain("Cause: a trial sandbox did not start (xxx");
    expect(fallback.detail).toMatch(/x…\. Fix: see the start-up log\.$/);
    expect(fallback.log).toContain(reason);
  });
});
