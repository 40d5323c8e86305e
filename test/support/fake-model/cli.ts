// Runs the fake model standalone (for the playground): `tsx test/support/fake-model/cli.ts [--port N]`.
// Prompts containing these words pick a script: "tool:<command>" runs bash, "fail500", "fail429",
// "slow", "ansi", "secret", "long"; anything else gets a short reply.
import { ansiReply, bashThenReply, httpError, longReply, reply, slowReply, startFakeModel } from "./index.js";

const portFlag = process.argv.indexOf("--port");
const port = portFlag === -1 ? 0 : Number(process.argv[portFlag + 1]);

const model = await startFakeModel({ port });
model
  .on("fail500", httpError(500))
  .on("fail429", httpError(429))
  .on("slow", slowReply("This reply arrives a few characters at a time.", 3, 80))
  .on("ansi", ansiReply())
  .on("secret", reply("the key is sk-proj-FAKEfakeFAKEfakeFAKEfake1234567890 (a fake)"))
  .on("long", longReply(500))
  // The command comes from the prompt, so a playground user can try any bash command.
  .on(/tool:/, (text) => bashThenReply(text.slice(text.indexOf("tool:") + 5).trim() || "echo hello"));
console.log(`fake model listening on ${model.baseUrl}`);
const stop = () => void model.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
