// omp's model list (parsed, cached stale-while-revalidate), the judgement of a launch's model and
// project (`resolveLaunchChoice`, shared by /omp new and other launchers), and autocomplete's filter.

import { describe, expect, it } from "vitest";
import { AUTOCOMPLETE_LIMITS, filterChoices, modelChoice } from "../../src/discord/autocomplete.js";
import { findModel, ModelCatalog, type OmpModel, parseModelList } from "../../src/omp/model-catalog.js";
import { projectsFor, resolveLaunchChoice, resolveModelChoice } from "../../src/sessions/launch-choice.js";
import { FakeClock } from "./live-fakes.js";

const model = (provider: string, id: string, name = id): OmpModel => ({
  provider,
  id,
  selector: `${provider}/${id}`,
  name,
});
const MODELS = [model("local", "fake", "Fake"), model("openai", "gpt-5", "GPT-5"), model("other", "gpt-5")];

describe("parseModelList", () => {
  it("reads omp models --json, after any warning lines, one entry per selector", () => {
    const json = JSON.stringify({
      models: [
        { provider: "local", id: "fake", selector: "local/fake", name: "Fake", contextWindow: 32000 },
        { provider: "local", id: "fake", selector: "local/fake", name: "Fake" },
        { provider: "openai", id: "gpt-5", name: "GPT-5" },
        { id: "no-provider" },
      ],
    });
    expect(parseModelList(`Warning: models.yml validation failed\n  bad key\n${json}\n`)).toEqual([
      model("local", "fake", "Fake"),
      model("openai", "gpt-5", "GPT-5"),
    ]);
  });

  it("refuses text that is not the list, quoting it", () => {
    expect(() => parseModelList("No models available.")).toThrow(/Expected `omp models --json`.*No models/);
  });
});

describe("ModelCatalog", () => {
  function catalog(clock: FakeClock, answers: Array<OmpModel[] | Error>) {
    let calls = 0;
    let release: (() => void) | undefined;
    const gate = { hold: false };
    const list = async () => {
      calls++;
      if (gate.hold) await new Promise<void>((resolve) => (release = resolve));
      const answer = answers.shift() ?? [];
      if (answer instanceof Error) throw answer;
      return answer;
    };
    const errors: string[] = [];
    const c = new ModelCatalog({
      list,
      clock,
      freshMs: 1000,
      retryMs: 500,
      onError: (e) => errors.push(e.message),
    });
    return { c, calls: () => calls, gate, release: () => release?.(), errors };
  }

  it("answers at once from what it knows, listing in the background when stale, one listing at a time", async () => {
    const clock = new FakeClock();
    const t = catalog(clock, [[MODELS[0]!], MODELS]);
    expect(t.c.current()).toBeUndefined();
    expect(t.c.current()).toBeUndefined();
    await clock.advance(0);
    expect(t.calls()).toBe(1);
    expect(t.c.current()).toEqual([MODELS[0]]);
    await clock.advance(999);
    expect(t.c.current()).toEqual([MODELS[0]]);
    expect(t.calls()).toBe(1);
    await clock.advance(1);
    // Stale: still answered from the old list, refreshed behind.
    expect(t.c.current()).toEqual([MODELS[0]]);
    await clock.advance(0);
    expect(t.calls()).toBe(2);
    expect(t.c.current()).toEqual(MODELS);
  });

  it("keeps the last list when a listing fails, says why, and waits before trying again", async () => {
    const clock = new FakeClock();
    const t = catalog(clock, [MODELS, new Error("omp broke")]);
    await t.c.refresh();
    await clock.advance(1000);
    t.c.current();
    await clock.advance(0);
    expect(t.c.current()).toEqual(MODELS);
    expect(t.c.lastError).toBe("omp broke");
    expect(t.errors).toEqual(["omp broke"]);
    const calls = t.calls();
    t.c.current();
    await clock.advance(100);
    expect(t.calls()).toBe(calls);
    await clock.advance(400);
    t.c.current();
    await clock.advance(0);
    expect(t.calls()).toBe(calls + 1);
    expect(t.c.lastError).toBeUndefined();
  });

  it("get() waits for a first list only up to its limit, then answers undefined", async () => {
    const clock = new FakeClock();
    const t = catalog(clock, [MODELS]);
    t.gate.hold = true;
    const answer = t.c.get({ waitMs: 2000 });
    await clock.advance(2000);
    await expect(answer).resolves.toBeUndefined();
    t.release();
    await clock.advance(0);
    await expect(t.c.get({ waitMs: 2000 })).resolves.toEqual(MODELS);
  });
});

describe("findModel", () => {
  it("takes the exact selector or a bare id that names one model, in any case", () => {
    expect(findModel(MODELS, "OPENAI/GPT-5")?.selector).toBe("openai/gpt-5");
    expect(findModel(MODELS, "fake")?.selector).toBe("local/fake");
    // Two providers offer gpt-5: the bare id is ambiguous.
    expect(findModel(MODELS, "gpt-5")).toBeUndefined();
    expect(findModel(MODELS, "gpt")).toBeUndefined();
  });
});

describe("resolveLaunchChoice", () => {
  const LAUNCH = "100000000000000001";
  const OTHER = "100000000000000002";
  const projects = [
    { name: "api", dir: "/srv/api", channelIds: [OTHER] },
    { name: "docs", dir: "/srv/docs", channelIds: undefined },
  ];
  const context = { launchChannelIds: [LAUNCH, OTHER], projects, models: MODELS };

  it("accepts nothing chosen: the defaults", () => {
    expect(resolveLaunchChoice({ channelId: LAUNCH }, context)).toEqual({
      ok: true,
      model: undefined,
      project: undefined,
    });
  });

  it("accepts a known model as its selector and a project allowed in the channel, in any case", () => {
    expect(resolveLaunchChoice({ channelId: OTHER, model: "fake", project: "API" }, context)).toEqual({
      ok: true,
      model: "local/fake",
      project: projects[0],
    });
  });

  it("refuses an unknown model, listing what omp offers", () => {
    const choice = resolveLaunchChoice({ channelId: LAUNCH, model: "gpt-9" }, context);
    expect(choice).toMatchObject({ ok: false, code: "unknown_model" });
    expect(!choice.ok && choice.reason).toContain("`gpt-9`");
    expect(!choice.ok && choice.reason).toContain("`local/fake`");
  });

  it("refuses an unknown project, listing the channel's projects", () => {
    const choice = resolveLaunchChoice({ channelId: LAUNCH, project: "web" }, context);
    expect(choice).toMatchObject({ ok: false, code: "unknown_project" });
    expect(!choice.ok && choice.reason).toBe("There is no project `web`. Projects here: `docs`.");
  });

  it("refuses a project another channel owns, saying which may be used here", () => {
    const choice = resolveLaunchChoice({ channelId: LAUNCH, project: "api" }, context);
    expect(choice).toMatchObject({ ok: false, code: "project_not_allowed" });
    expect(!choice.ok && choice.reason).toBe(
      "Project `api` may not be used in this channel. Projects here: `docs`.",
    );
  });

  it("refuses a channel that is not a launch channel", () => {
    expect(resolveLaunchChoice({ channelId: "100000000000000009" }, context)).toMatchObject({
      ok: false,
      code: "not_launch_channel",
    });
  });

  it("refuses a model while omp's list is unknown, with the listing's error, rather than run it unchecked", () => {
    const choice = resolveModelChoice("local/fake", { models: undefined, modelsError: "omp not found" });
    expect(choice).toMatchObject({ ok: false, code: "models_unavailable" });
    expect(!choice.ok && choice.reason).toContain("omp not found");
  });

  it("a quoted choice cannot break out of its code span", () => {
    const choice = resolveLaunchChoice({ channelId: LAUNCH, model: "x` @everyone `y" }, context);
    expect(!choice.ok && choice.reason).toContain("`x  @everyone  y`");
  });

  it("projectsFor lists the projects of a channel in configured order", () => {
    expect(projectsFor(OTHER, projects).map((p) => p.name)).toEqual(["api", "docs"]);
    expect(projectsFor(LAUNCH, projects).map((p) => p.name)).toEqual(["docs"]);
  });
});

describe("filterChoices", () => {
  const many = Array.from({ length: 40 }, (_, i) => modelChoice(model("prov", `model-${i}`)));

  it("keeps at most 25, in the order given", () => {
    const choices = filterChoices(many, "");
    expect(choices).toHaveLength(AUTOCOMPLETE_LIMITS.choices);
    expect(choices[0]!.value).toBe("prov/model-0");
  });

  it("filters by what was typed, anywhere in the name, in any case", () => {
    expect(filterChoices(many, "EL-3").map((c) => c.value)).toEqual([
      "prov/model-3",
      ...Array.from({ length: 10 }, (_, i) => `prov/model-3${i}`),
    ]);
    expect(filterChoices([modelChoice(MODELS[1]!)], "gpt-5 ·")).toEqual([
      { name: "openai/gpt-5 · GPT-5", value: "openai/gpt-5" },
    ]);
  });

  it("shortens long names to Discord's 100 and leaves out values Discord would refuse", () => {
    const long = { name: "n".repeat(150), value: "ok" };
    const tooLong = { name: "fine", value: "v".repeat(101) };
    const choices = filterChoices([long, tooLong], "");
    expect(choices).toEqual([{ name: `${"n".repeat(99)}…`, value: "ok" }]);
  });
});
