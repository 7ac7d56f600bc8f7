// Drives our codex binary with the official TypeScript SDK: a thread with
// one turn, then the same thread resumed for a second turn. Prints a JSON
// summary on stdout for the Go test to check.
import { Codex } from "@openai/codex-sdk";

const codex = new Codex({
  codexPathOverride: process.env.CODEX_BIN,
  baseUrl: process.env.BASE_URL,
  apiKey: "sk-sdk-test",
});
const opts = { workingDirectory: process.env.WORKDIR, skipGitRepoCheck: true, sandboxMode: "workspace-write" };
const thread = codex.startThread(opts);
const first = await thread.run("first: run a command");
const resumed = codex.resumeThread(thread.id, opts);
const streamed = await resumed.runStreamed("second: answer");
const events = [];
for await (const ev of streamed.events) events.push(ev.type);
console.log(JSON.stringify({ id: thread.id, resumedId: resumed.id, first, events }));
