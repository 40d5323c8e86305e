// `omp models --json` as the bot runs it (src/omp/model-catalog.ts), against the real omp and a
// throwaway HOME whose models.yml offers the fake model: the list autocomplete and refusals rely on.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ompModelLister } from "../../src/omp/model-catalog.js";
import { createOmpHome, OMP_BIN, type OmpHome } from "../support/omp-home.js";

describe("ompModelLister", () => {
  let home: OmpHome;
  beforeAll(() => {
    // Listing models reads models.yml only; nothing is sent to the base URL.
    home = createOmpHome("http://127.0.0.1:9/v1", { moreModels: ["fake-pro"] });
  });
  afterAll(() => home?.cleanup());

  it("lists the models of the person's omp settings as provider/id selectors", async () => {
    const list = ompModelLister({ bin: OMP_BIN, env: home.env, cwd: home.workDir, timeoutMs: 120_000 });
    const models = await list();
    expect(models).toEqual([
      { provider: "local", id: "fake", selector: "local/fake", name: "Fake" },
      { provider: "local", id: "fake-pro", selector: "local/fake-pro", name: "fake-pro" },
    ]);
  }, 180_000);

  it("a missing omp is an error that says what to do", async () => {
    const list = ompModelLister({ bin: "/nonexistent/omp", env: home.env });
    await expect(list()).rejects.toThrow("`/nonexistent/omp` not found: install omp or set OMP_BIN");
  });
});
