// Drives `codex mcp-server` with the official TypeScript MCP SDK client:
// list the tools, run codex and codex-reply on one thread (answering the
// approval elicitation), cancel a running call, and continue the thread.
// Prints a JSON summary on stdout for the Go test to check.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const transport = new StdioClientTransport({
  command: process.env.CODEX_BIN,
  args: ["mcp-server"],
  env: process.env,
  cwd: process.env.WORKDIR,
  stderr: "inherit",
});
const client = new Client({ name: "ts-sdk-test", version: "1.0.0" }, { capabilities: { elicitation: {} } });

const elicitations = [];
client.setRequestHandler(ElicitRequestSchema, async (req) => {
  elicitations.push(req.params);
  return { action: "accept", content: { decision: "approved" } };
});

const events = [];
const waiters = [];
client.fallbackNotificationHandler = async (n) => {
  if (n.method !== "codex/event") return;
  events.push({ type: n.params.msg.type, requestId: n.params._meta?.requestId, threadId: n.params._meta?.threadId });
  for (const w of waiters.splice(0)) w();
};
async function eventSeen(type) {
  const deadline = Date.now() + 20000;
  while (!events.some((e) => e.type === type)) {
    if (Date.now() > deadline) throw new Error(`no codex/event ${type}`);
    await new Promise((resolve) => waiters.push(resolve));
  }
}

await client.connect(transport);
const server = client.getServerVersion();
const tools = (await client.listTools()).tools.map((t) => ({
  name: t.name,
  required: t.inputSchema.required,
  outputRequired: t.outputSchema?.required,
}));

const progress = [];
const first = await client.callTool(
  { name: "codex", arguments: { prompt: "first: run a command", cwd: process.env.WORKDIR, "approval-policy": "untrusted" } },
  undefined,
  { onprogress: (p) => progress.push(p.message) },
);
const threadId = first.structuredContent.threadId;
const second = await client.callTool({ name: "codex-reply", arguments: { threadId, prompt: "second: answer" } });

// Cancel a call while its command runs.
const ac = new AbortController();
let cancelError = "";
const beforeCancel = events.length;
try {
  await client.callTool(
    { name: "codex-reply", arguments: { threadId, prompt: "third: wait a long time" } },
    undefined,
    {
      signal: ac.signal,
      onprogress: (p) => {
        if (p.message?.startsWith("running")) ac.abort("the user cancelled");
      },
    },
  );
} catch (e) {
  cancelError = String(e);
}
await eventSeen("turn_aborted");
const cancelEvents = events.slice(beforeCancel).map((e) => e.type);

const fourth = await client.callTool({ name: "codex-reply", arguments: { threadId, prompt: "fourth: still there?" } });
await client.close();

console.log(JSON.stringify({ server, tools, first, second, fourth, threadId, progress, elicitations, cancelError, cancelEvents,
  eventThreads: [...new Set(events.map((e) => e.threadId))] }));
