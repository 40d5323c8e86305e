// Redactor throughput on adversarial text: for every shape family, the near misses that make it work
// hardest (dotted text, long key runs, repeated keywords, almost-JWTs, almost-PEM …), at several sizes,
// next to plain text. Figures: MB/s, the ratio to plain text, how throughput holds as the text grows
// (linear time keeps it flat; the old patterns took 3.4 s for 48 000 dotted characters), and the
// longest the async path holds the event loop on a 1 MiB line.
import { createRedactor } from "../../src/output/redact.js";
import type { Scenario } from "./types.js";

const KIB = 1024;
const SIZES = [12 * KIB, 48 * KIB, 96 * KIB, 1024 * KIB];
/** Timing rounds: every input once per round, so load on the machine hits all of them alike. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Each sample repeats the redaction until it has taken this long (short texts are quick). */
const SAMPLE_MS = 20;
const TARGET_MB_PER_S = 10;
const TARGET_MAX_RATIO_TO_PLAIN = 10;
const TARGET_MAX_HOLD_MS = 50;

// FAKE secret for the exact-value family; the inputs are near misses of it.
const EXACT_SECRET = ["bench", "exact", "secret", "value", "123"].join("-");

/** The AWS documentation's example key id: masked wherever it appears. */
const AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";

const PLAIN =
  "The agent read src/index.ts and ran the tests: 42 passed, 0 failed (1.8 s).\n" +
  "export function add(a: number, b: number): number { return a + b; }\n" +
  "2025-01-01T12:00:00Z INFO request GET /api/items?page=2 200 in 12ms\n";

/**
 * Per family, units that repeat into its hardest near misses. None holds a secret, except the AWS key
 * ids that make the bare-secret-key family look around (those ids are masked, the 40-character runs
 * near them are not).
 */
const FAMILIES: Record<string, string[]> = {
  "private key": ["-----BEGIN RSA PUBLIC KEY-----\n", "-----END RSA PRIVATE KEY----- ", "-----BEGIN "],
  "sk key": ["sk-abcdefghijklmno ", "sk-a.sk-b."],
  "github token": [`ghp_${"a1".repeat(14)}b `, `github_pat_${"a_".repeat(19)}b `, "ghp_gho_ghu_"],
  "slack token": ["xoxb-1234567 ", "xoxb-1.xoxp-2."],
  "aws key id": ["AKIAIOSFODNN7EXAMP ", "AKIAAKIAASIA"],
  "aws secret key": [
    // Git SHAs (hex) and 41-character runs next to key ids; 39 characters after a label.
    `${AWS_KEY_ID} 3f786850e387550fdab836ed7e6dc881de23001b `,
    `${AWS_KEY_ID} ${"aB3".repeat(13)}cd `,
    `Secret access key ${"aB3".repeat(13)} `,
  ],
  "google key": [`AIza${"b".repeat(34)} `],
  jwt: ["eyJ-", "eyJhbGciOiJIUzI1.eyJzdWIi ", `eyJ${"a".repeat(1000)} `],
  "discord token": [`M${"a".repeat(22)}.abcdef.${"c".repeat(26)} `, ".abcdef.", "M-"],
  bearer: ["Bearer abc ", "bearer\t\t\t\t "],
  "secret pair": ["a.b-c.d.", "password ", "passwordpassword", "password=ab ", "abc_def.ghi-"],
  "token pair": ["token: 123, ", "tokentoken", "max_tokens=4096 "],
  "exact secret": [`${EXACT_SECRET.slice(0, -1)} `],
};

const fill = (unit: string, length: number) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
const mbPerS = (chars: number, ms: number) => chars / 1e6 / (ms / 1000);
const round1 = (value: number) => Math.round(value * 10) / 10;

export const redactor: Scenario = {
  name: "redactor",
  description: `redaction MB/s on adversarial near misses per shape family at ${SIZES.map((s) => `${s / KIB} KiB`).join(", ")}, vs plain text; longest event-loop hold of the async path on 1 MiB`,
  async run({ log }) {
    const r = createRedactor({ secrets: [EXACT_SECRET] });
    const inputs = [
      { family: "plain text", unit: PLAIN },
      ...Object.entries(FAMILIES).flatMap(([family, units]) => units.map((unit) => ({ family, unit }))),
    ];
    const texts = SIZES.map((size) => inputs.map((input) => fill(input.unit, size)));
    // None of the near misses may be masked: a bench input that holds a secret measures the wrong thing.
    const masked = inputs.filter((_, i) => {
      const text = texts[0]![i]!;
      return r.redact(text) !== text.replaceAll(AWS_KEY_ID, "[REDACTED]");
    });
    if (masked.length > 0) throw new Error(`bench inputs hold secrets: ${JSON.stringify(masked)}`);

    const best = SIZES.map(() => inputs.map(() => Number.POSITIVE_INFINITY));
    for (let round = 1; round <= ROUNDS; round++) {
      for (let s = 0; s < SIZES.length; s++) {
        for (let i = 0; i < inputs.length; i++) {
          const text = texts[s]![i]!;
          let reps = 0;
          const started = performance.now();
          do {
            r.redact(text);
            reps++;
          } while (performance.now() - started < SAMPLE_MS);
          best[s]![i] = Math.min(best[s]![i]!, (performance.now() - started) / reps);
        }
      }
      log(`round ${round}/${ROUNDS} done`);
    }

    const plainIndex = 0;
    const families: Record<string, unknown> = {};
    let slowestMBps = Number.POSITIVE_INFINITY;
    let worstRatio = 0;
    let worstGrowth = 0;
    for (const family of ["plain text", ...Object.keys(FAMILIES)]) {
      const members = inputs.flatMap((input, i) => (input.family === family ? [i] : []));
      const bySize = SIZES.map((size, s) => {
        // The family's hardest input at this size.
        const worst = members.reduce((a, b) => (best[s]![a]! >= best[s]![b]! ? a : b));
        const mbps = mbPerS(size, best[s]![worst]!);
        const ratio = best[s]![worst]! / best[s]![plainIndex]!;
        return { size, worst, mbps, ratio };
      });
      // Throughput at the smallest size over throughput at 1 MiB: about 1 when time is linear.
      const growth = bySize[0]!.mbps / bySize.at(-1)!.mbps;
      // The async path on 1 MiB of the hardest input: how long does one slice hold the event loop?
      // Wall time counts the moments a loaded machine runs something else; CPU time is our own work.
      const hardest = bySize.at(-1)!.worst;
      let holdMs = 0;
      let holdCpuMs = 0;
      let last = 0;
      let lastCpu = process.cpuUsage();
      const sliceEnded = () => {
        holdMs = Math.max(holdMs, performance.now() - last);
        const cpu = process.cpuUsage(lastCpu);
        holdCpuMs = Math.max(holdCpuMs, (cpu.user + cpu.system) / 1000);
      };
      const sliced = createRedactor({
        secrets: [EXACT_SECRET],
        yieldControl: () =>
          new Promise((resolve) => {
            sliceEnded();
            setImmediate(() => {
              last = performance.now();
              lastCpu = process.cpuUsage();
              resolve();
            });
          }),
      });
      last = performance.now();
      lastCpu = process.cpuUsage();
      await sliced.redactAsync(texts.at(-1)![hardest]!);
      sliceEnded();

      if (family !== "plain text") {
        slowestMBps = Math.min(slowestMBps, ...bySize.map((b) => b.mbps));
        worstRatio = Math.max(worstRatio, ...bySize.map((b) => b.ratio));
        worstGrowth = Math.max(worstGrowth, growth);
      }
      families[family] = {
        hardestInput: JSON.stringify(inputs[hardest]!.unit.slice(0, 40)),
        mbPerS: Object.fromEntries(bySize.map((b) => [`${b.size / KIB}KiB`, round1(b.mbps)])),
        timesSlowerThanPlain: Object.fromEntries(bySize.map((b) => [`${b.size / KIB}KiB`, round1(b.ratio)])),
        smallOverLargeThroughput: round1(growth),
        asyncLongestHoldMsOn1MiB: round1(holdMs),
        asyncLongestHoldCpuMsOn1MiB: round1(holdCpuMs),
      };
      log(
        `${family.padEnd(14)} ${bySize.map((b) => `${round1(b.mbps)} MB/s`.padStart(12)).join("")}  ×${round1(Math.max(...bySize.map((b) => b.ratio)))} plain  hold ${round1(holdMs)} ms (cpu ${round1(holdCpuMs)})`,
      );
    }
    const holds = Object.values(families) as {
      asyncLongestHoldMsOn1MiB: number;
      asyncLongestHoldCpuMsOn1MiB: number;
    }[];
    const longestHold = Math.max(...holds.map((f) => f.asyncLongestHoldMsOn1MiB));
    const longestHoldCpu = Math.max(...holds.map((f) => f.asyncLongestHoldCpuMsOn1MiB));
    return {
      sizes: SIZES,
      rounds: ROUNDS,
      families,
      slowestFamilyMBps: round1(slowestMBps),
      worstTimesSlowerThanPlain: round1(worstRatio),
      worstSmallOverLargeThroughput: round1(worstGrowth),
      longestAsyncHoldMs: round1(longestHold),
      longestAsyncHoldCpuMs: round1(longestHoldCpu),
      target: `every family >= ${TARGET_MB_PER_S} MB/s at every size, <= ${TARGET_MAX_RATIO_TO_PLAIN}x slower than plain text, async hold <= ${TARGET_MAX_HOLD_MS} ms of CPU per slice (wall time shown too: on a loaded machine it counts other processes' turns)`,
      pass:
        slowestMBps >= TARGET_MB_PER_S &&
        worstRatio <= TARGET_MAX_RATIO_TO_PLAIN &&
        longestHoldCpu <= TARGET_MAX_HOLD_MS,
    };
  },
};
