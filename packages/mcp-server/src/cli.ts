// Starts the stdio MCP server: settings from the environment (OMPCORD_URL, OMPCORD_TOKEN), problems on
// stderr (stdout is the protocol's).

import { readFileSync } from "node:fs";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { NAMED_TOKEN_PREFIX } from "../../../src/extension-protocol.js";
import { createMcpServer } from "./server.js";

/** The sidecar's default address (OMPCORD_API_HOST and OMPCORD_API_PORT's defaults). */
const DEFAULT_URL = "http://127.0.0.1:8901";

function settings(env: NodeJS.ProcessEnv): { url: string; token: string } {
  const token = env.OMPCORD_TOKEN?.trim() ?? "";
  if (!token.startsWith(NAMED_TOKEN_PREFIX)) {
    throw new Error(
      token === ""
        ? "Set OMPCORD_TOKEN to a named token: in Discord, `/omp token action:issue name:<name>` shows one."
        : `OMPCORD_TOKEN is not a named token (they start with ${NAMED_TOKEN_PREFIX}). Use one from \`/omp token action:issue\`, never the bot's Discord or API token.`,
    );
  }
  const url = env.OMPCORD_URL?.trim() || DEFAULT_URL;
  if (!/^https?:\/\/[^\s/]+/.test(url)) {
    throw new Error(`Expected OMPCORD_URL to be the sidecar's URL, like ${DEFAULT_URL}, got \`${url}\`.`);
  }
  return { url, token };
}

const version = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

try {
  const server = createMcpServer({ ...settings(process.env), version });
  await server.connect(new StdioServerTransport());
} catch (error) {
  process.stderr.write(`ompcord MCP server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
