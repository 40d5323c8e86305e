// Argument checks for the bot's own classes, all with p-queue's message shape
// (``Expected `name` to be …, got `value` (type)``) and all TypeErrors: a wrong argument is a programming
// error. Settings a person writes are validated by src/config, with messages for a person.

function got(value: unknown): string {
  return `\`${String(value)}\` (${typeof value})`;
}

/** An integer from `min` up. */
export function expectInteger(name: string, value: unknown, min: number): asserts value is number {
  if (!Number.isInteger(value) || (value as number) < min) {
    throw new TypeError(`Expected \`${name}\` to be an integer from ${min} and up, got ${got(value)}`);
  }
}

/** A finite number above 0. */
export function expectPositive(name: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`Expected \`${name}\` to be a number above 0, got ${got(value)}`);
  }
}

/** A finite number from 0 up; `unit` names what it counts ("milliseconds"). */
export function expectNonNegative(name: string, value: unknown, unit?: string): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    const what = unit ? `a number of ${unit}` : "a number";
    throw new TypeError(`Expected \`${name}\` to be ${what} from 0 and up, got ${got(value)}`);
  }
}

/** A string with at least one character. */
export function expectNonEmptyString(name: string, value: unknown): asserts value is string {
  if (typeof value !== "string" || value === "") {
    throw new TypeError(`Expected \`${name}\` to be a non-empty string, got ${got(value)}`);
  }
}

/** A function. */
export function expectFunction(name: string, value: unknown): asserts value is (...args: never[]) => unknown {
  if (typeof value !== "function") {
    throw new TypeError(`Expected \`${name}\` to be a function, got ${got(value)}`);
  }
}
