// `npm run emulator`: runs the local Discord emulator standalone with a seeded guild, channel and users,
// and prints what a bot (DISCORD_* settings) and a driver (/_control) need to connect.

import { parseArgs } from "node:util";
import { startEmulator } from "./emulator.js";

const USAGE = `Usage: npm run emulator -- [options]

  --port <n>         port to listen on (default: a free one)
  --host <addr>      address to bind (default: 127.0.0.1)
  --token <token>    bot token to accept (default: random)
  --no-rate-limits   serve without rate limits
  --json             print the connection details as one JSON line
  -h, --help         show this help`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function parseCli() {
  try {
    return parseArgs({
      options: {
        port: { type: "string" },
        host: { type: "string" },
        token: { type: "string" },
        "no-rate-limits": { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }).values;
  } catch (error) {
    return fail((error as Error).message);
  }
}

async function main(): Promise<void> {
  const values = parseCli();
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    fail(`Expected --port to be an integer from 0 to 65535, got \`${values.port}\``);
  }

  const emu = await startEmulator({
    port,
    ...(values.host ? { host: values.host } : {}),
    ...(values.token ? { botToken: values.token } : {}),
    ...(values["no-rate-limits"] ? { rateLimits: false as const } : {}),
  });
  const world = emu.seed();
  const details = {
    restUrl: emu.restUrl,
    gatewayUrl: emu.gatewayUrl,
    controlUrl: `${emu.baseUrl}/_control`,
    botToken: emu.botToken,
    applicationId: emu.applicationId,
    botUserId: emu.botUser.id,
    guildId: world.guildId,
    channelId: world.channelId,
    users: { alice: world.users.alice.id, bob: world.users.bob.id },
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(details)}\n`);
  } else {
    process.stdout.write(
      [
        "ompcord Discord emulator running",
        `  REST URL     ${details.restUrl}      (DISCORD_API_URL / rest.api)`,
        `  gateway      ${details.gatewayUrl}`,
        `  control API  ${details.controlUrl}   (GET ${details.controlUrl}/info)`,
        `  bot token    ${details.botToken}`,
        `  application  ${details.applicationId}`,
        `  guild        ${details.guildId}   (DISCORD_GUILD_ID)`,
        `  channel      ${details.channelId}   #launch (DISCORD_CHANNEL_ID)`,
        `  users        alice ${details.users.alice}, bob ${details.users.bob}   (DISCORD_ALLOWED_USERS)`,
        "Ctrl+C to stop.",
        "",
      ].join("\n"),
    );
  }
  const stop = () => {
    void emu.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

await main();
