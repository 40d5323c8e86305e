// Values of the bot's environment that look secret (SPEC §6): masked wherever text leaves the bot.

/** Names that hold credentials by convention: *_TOKEN, *_SECRET, *_KEY, PASSWORD, … */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|PRIVATE_KEY|_KEY$|CREDENTIALS?)/i;

/** Shorter values would mask ordinary words ("true", "1234") all over the output. */
const MIN_SECRET_LENGTH = 8;

export function secretEnvValues(env: NodeJS.ProcessEnv): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value && value.length >= MIN_SECRET_LENGTH && SECRET_NAME.test(name)) values.add(value);
  }
  return [...values];
}
