/**
 * The MCP server measured by bench/mcp-throughput.ts: one `echo` tool, served stateless or
 * stateful (chosen by the BENCH_TRANSPORT binding), auth on or off (AUTH_DISABLED).
 */
import { createMcpWorker, type EdgeMcpServer } from "@edge-mcp/server";
import { z } from "zod";

function setup(mcp: EdgeMcpServer) {
  mcp.tool("echo", { description: "Echo text back", inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: "text", text }],
  }));
}

const stateless = createMcpWorker({ name: "bench-stateless", version: "1.0.0", transport: "stateless", setup });
const stateful = createMcpWorker({ name: "bench-stateful", version: "1.0.0", transport: "stateful", setup });

export default {
  fetch(request: Request, env: { BENCH_TRANSPORT?: string }, ctx: ExecutionContext) {
    return (env.BENCH_TRANSPORT === "stateful" ? stateful : stateless).fetch(request, env, ctx);
  },
};
export const McpSession = stateful.McpSession;
