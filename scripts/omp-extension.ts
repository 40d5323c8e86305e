// `npm run extension -- install --webhook-url <url> [--username <name>] [--home <dir>]` installs the
// ompcord OMP extension into a person's own omp; `npm run extension -- uninstall` removes it.
import { homedir } from "node:os";
import { parseArgs } from "node:util";
import { InstallError, installExtension, uninstallExtension } from "../packages/omp-extension/src/install.js";
import { ensureExtensionBundle } from "../src/omp/extension.js";

const USAGE = `Usage:
  npm run extension -- install [--webhook-url <Discord webhook URL>] [--username <name>]
                               [--mirror-url <sidecar URL> --mirror-token <named token> [--mirror-auto]] [--home <dir>]
  npm run extension -- uninstall [--home <dir>]`;

function main(argv: string[]): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { positionals, values } = parsed;
  const home = values.home ?? homedir();
  const command = positionals[0];
  if (command === "uninstall") {
    const removed = uninstallExtension(home);
    process.stdout.write(
      removed ? "Removed the ompcord extension from omp.\n" : "The ompcord extension was not installed.\n",
    );
    return 0;
  }
  if (command !== "install") {
    process.stderr.write(
      `Expected a command, \`install\` or \`uninstall\`, got \`${command ?? ""}\`.\n${USAGE}\n`,
    );
    return 2;
  }
  if (!values["webhook-url"] && !values["mirror-url"]) {
    process.stderr.write(
      `Expected \`--webhook-url <url>\` (where the agent posts when it finishes or fails), \`--mirror-url <url> --mirror-token <token>\` (terminal mirroring), or both.\n${USAGE}\n`,
    );
    return 2;
  }
  try {
    const installed = installExtension({
      home,
      bundle: ensureExtensionBundle(),
      webhookUrl: values["webhook-url"],
      username: values.username,
      mirror: values["mirror-url"]
        ? {
            apiUrl: values["mirror-url"],
            token: values["mirror-token"] ?? "",
            auto: values["mirror-auto"] === true,
          }
        : undefined,
    });
    process.stdout.write(
      [
        `Installed the ompcord extension for omp in ${installed.dir}.`,
        `Settings: ${installed.settings} (readable by you only: the webhook URL lets anyone who has it post to the channel).`,
        installed.webhook
          ? "Your own omp posts to that webhook's channel when the agent finishes or fails, with the final answer's start (secrets masked)."
          : "No webhook: nothing is posted when the agent finishes.",
        installed.mirror
          ? "Terminal mirroring: type /ompcord-mirror in omp (or set OMPCORD_MIRROR=1) to show a session in a thread of the bot's home channel; only you can steer it. Revoke the token with /omp token action:revoke."
          : "No terminal mirroring (add --mirror-url and --mirror-token).",
        "It stays silent inside ompcord's bot runs.",
        "Remove it with: npm run extension -- uninstall",
        "",
      ].join("\n"),
    );
    return 0;
  } catch (error) {
    if (!(error instanceof InstallError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "webhook-url": { type: "string" },
      username: { type: "string" },
      home: { type: "string" },
      "mirror-url": { type: "string" },
      "mirror-token": { type: "string" },
      "mirror-auto": { type: "boolean" },
    },
  });
}

process.exitCode = main(process.argv.slice(2).filter((arg) => arg !== "--"));
