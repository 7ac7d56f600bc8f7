// A small MCP server on the npm MCP SDK: `confirm` asks the client a
// bare confirmation (a form with no fields) and answers with the
// ElicitResult it got, as JSON; `timed` sleeps `before` seconds, asks,
// sleeps `after` seconds; `slow` sleeps `secs` seconds.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";
const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));
const server = new McpServer({ name: "confirm", version: "1.0.0" });
const ask = () => server.server.elicitInput({ message: "Proceed?", requestedSchema: { type: "object", properties: {} } }, { timeout: 600000 });
server.registerTool("confirm", { description: "asks a bare confirmation", inputSchema: {} }, async () => {
  const r = await ask();
  return { content: [{ type: "text", text: "got " + JSON.stringify(r) }] };
});
server.registerTool("timed", { description: "sleeps, asks, sleeps", inputSchema: { before: z.number(), after: z.number() } }, async ({ before, after }) => {
  await sleep(before); const r = await ask(); await sleep(after);
  return { content: [{ type: "text", text: "got " + JSON.stringify(r) }] };
});
server.registerTool("slow", { description: "sleeps", inputSchema: { secs: z.number() } }, async ({ secs }) => {
  await sleep(secs);
  return { content: [{ type: "text", text: "slept" }] };
});
await server.connect(new StdioServerTransport());
