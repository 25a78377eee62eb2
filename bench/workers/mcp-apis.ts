/**
 * The MCP server measured by bench/acting-as-user.ts: `with_token` gets the caller's exchanged
 * token for a declared first-party API (`extra.apis.token`) and answers; `plain` answers the same
 * without. Stateless, RS256 auth, audit lines on (the defaults).
 */
import { createMcpWorker, type EdgeMcpServer } from "@edge-mcp/server";
import { z } from "zod";

function setup(mcp: EdgeMcpServer) {
  mcp.tool("with_token", { description: "Echo, after getting the caller's token for the orders API", inputSchema: { text: z.string() } }, async ({ text }, extra) => {
    const token = await extra.apis.token("orders");
    return { content: [{ type: "text", text: token.accessToken.length > 0 ? text : "no token" }] };
  });
  mcp.tool("plain", { description: "Echo", inputSchema: { text: z.string() } }, ({ text }) => ({ content: [{ type: "text", text }] }));
}

const worker = createMcpWorker({ name: "bench-apis", version: "1.0.0", transport: "stateless", setup });
export default { fetch: worker.fetch };
