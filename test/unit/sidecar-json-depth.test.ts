import { describe, expect, it } from "vitest";
import { nestsDeeperThan } from "../../src/sidecar/json-depth.js";

describe("nestsDeeperThan", () => {
  it("counts each array or object as one level and scalars as none", () => {
    expect(nestsDeeperThan("text", 0)).toBe(false);
    expect(nestsDeeperThan(null, 0)).toBe(false);
    expect(nestsDeeperThan([], 0)).toBe(true);
    expect(nestsDeeperThan([], 1)).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: 2 }] }, 2)).toBe(true);
    expect(nestsDeeperThan({ a: [1, { b: 2 }] }, 3)).toBe(false);
  });

  it("finds the deep branch among shallow siblings", () => {
    const value = { shallow: [1, 2, 3], other: { x: 1 }, deep: [[[["bottom"]]]] };
    expect(nestsDeeperThan(value, 4)).toBe(true);
    expect(nestsDeeperThan(value, 5)).toBe(false);
  });

  it("measures a 100 000-deep value without overflowing the stack", () => {
    const depth = 100_000;
    const value = JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`) as unknown;
    expect(nestsDeeperThan(value, depth - 1)).toBe(true);
    expect(nestsDeeperThan(value, depth)).toBe(false);
  });
});
