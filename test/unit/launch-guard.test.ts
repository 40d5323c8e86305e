import { describe, expect, it } from "vitest";
import { LaunchGuard } from "../../src/discord/launch-guard.js";

describe("LaunchGuard", () => {
  it("holds a message's launch from its start to its end, and only that message's", () => {
    const guard = new LaunchGuard();
    guard.begin("m1");
    expect(guard.inFlight("m1")).toBe(true);
    expect(guard.inFlight("m2")).toBe(false);
    guard.end("m1");
    expect(guard.inFlight("m1")).toBe(false);
  });

  it("notices a person's refusal on a message once, and again only after the memory forgot it", () => {
    const guard = new LaunchGuard({ refusalsRemembered: 2 });
    expect(guard.firstRefusal("m1", "alice")).toBe(true);
    expect(guard.firstRefusal("m1", "alice")).toBe(false);
    expect(guard.firstRefusal("m1", "bob")).toBe(true);
    expect(guard.firstRefusal("m2", "alice")).toBe(true); // the third pair: the oldest is forgotten
    expect(guard.firstRefusal("m1", "bob")).toBe(false);
    expect(guard.firstRefusal("m1", "alice")).toBe(true);
  });

  it("is one object per app: two guards share nothing", () => {
    const first = new LaunchGuard();
    first.begin("m1");
    first.firstRefusal("m1", "alice");
    const second = new LaunchGuard();
    expect(second.inFlight("m1")).toBe(false);
    expect(second.firstRefusal("m1", "alice")).toBe(true);
  });
});
