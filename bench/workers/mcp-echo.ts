/**
 * The MCP server measured by bench/mcp-throughput.ts and bench/audit-cost.ts: one `echo` tool,
 * served stateless or stateful (chosen by the BENCH_TRANSPORT binding), auth on or off
 * (AUTH_DISABLED), the audit log on (the default) or, stateless only, off (BENCH_AUDIT = "off").
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
const unaudited = createMcpWorker({ name: "bench-stateless", version: "1.0.0", transport: "stateless", setup, audit: false });

export default {
  fetch(request: Request, env: { BENCH_TRANSPORT?: string; BENCH_AUDIT?: string }, ctx: ExecutionContext) {
    const worker = env.BENCH_TRANSPORT === "stateful" ? stateful : env.BENCH_AUDIT === "off" ? unaudited : stateless;
    return worker.fetch(request, env, ctx);
  },
};
export const McpSession = stateful.McpSession;
