import { describe, expect, it } from "vitest";
import { descendantsOf, type ProcessStat, parseStat } from "../../src/omp/kill.js";

describe("parseStat", () => {
  it("reads pid, ppid, state and start time, even with spaces and parentheses in the name", () => {
    const line =
      "4242 (my (odd) cmd) S 4241 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000000 100 18446744073709551615";
    expect(parseStat(line)).toEqual({ pid: 4242, ppid: 4241, state: "S", startTime: "987654" });
  });
  it("returns undefined for garbage", () => {
    expect(parseStat("nonsense")).toBeUndefined();
  });
});

describe("descendantsOf", () => {
  const p = (pid: number, ppid: number): ProcessStat => ({ pid, ppid, startTime: "1", state: "S" });
  it("finds children and grandchildren, not siblings or the parent", () => {
    const all = [p(1, 0), p(10, 1), p(11, 10), p(12, 11), p(13, 10), p(20, 1), p(21, 20)];
    expect(
      descendantsOf(10, all)
        .map((s) => s.pid)
        .sort(),
    ).toEqual([11, 12, 13]);
  });
  it("survives a ppid cycle", () => {
    expect(descendantsOf(1, [p(2, 1), p(1, 2)]).map((s) => s.pid)).toEqual([2]);
  });
});
