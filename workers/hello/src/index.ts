import { createMcpWorker } from "@edge-mcp/server";
import { z } from "zod";

/**
 * hello-mcp: the smallest useful edge-mcp server. Stateless: every request gets a fresh
 * server, no Durable Object. All three tools are read-only (`tools.read`).
 */
const worker = createMcpWorker({
  name: "hello",
  version: "1.0.0",
  transport: "stateless",
  // Its tool list is the same for every caller: clients and the gateway may cache it for a minute.
  cacheHints: { "tools/list": { ttlMs: 60_000, cacheScope: "public" } },
  instructions: "A minimal MCP server: echo text back, tell the caller who they are, tell the time.",
  setup(mcp) {
    mcp.tool(
      "echo",
      {
        description: "Echo the given text back.",
        inputSchema: { text: z.string().max(10_000).describe("Text to echo") },
        annotations: { readOnlyHint: true },
      },
      ({ text }) => ({ content: [{ type: "text", text }] }),
    );
    mcp.tool(
      "whoami",
      { description: "The verified caller: subject, OAuth client and scopes.", annotations: { readOnlyHint: true } },
      (extra) => ({
        content: [{ type: "text", text: JSON.stringify(extra.auth) }],
        structuredContent: { subject: extra.auth.subject, clientId: extra.auth.clientId, scopes: [...extra.auth.scopes] },
      }),
    );
    mcp.tool(
      "time",
      { description: "The current time (UTC, ISO 8601).", annotations: { readOnlyHint: true } },
      () => ({ content: [{ type: "text", text: new Date().toISOString() }] }),
    );
  },
});

export default { fetch: worker.fetch };
/** The RPC entrypoint an edge-mcp gateway calls through a service binding (not reachable from the internet). */
export const McpBackend = worker.McpBackend;
export { McpEventBus } from "@edge-mcp/server";
