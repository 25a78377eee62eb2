/**
 * The MCP server measured by bench/mcp-throughput.ts and bench/audit-cost.ts: one `echo` tool,
 * served stateless or stateful (chosen by the BENCH_TRANSPORT binding), auth on or off
 * (AUTH_DISABLED), built servers reused (the default) or built per request (BENCH_REUSE = "off"), the audit log on (the default) or, stateless only, off (BENCH_AUDIT = "off") or
 * built and serialised but never written (BENCH_AUDIT = "unwritten": what the lines cost without
 * the `console.log`).
 */
import { createMcpWorker, type AuditSink, type EdgeMcpServer } from "@edge-mcp/server";
import { z } from "zod";

function setup(mcp: EdgeMcpServer) {
  mcp.tool("echo", { description: "Echo text back", inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: "text", text }],
  }));
}

const stateless = createMcpWorker({ name: "bench-stateless", version: "1.0.0", transport: "stateless", setup });
/** The same server building a fresh server (setup, schemas) for every request: what reuse saves. */
const fresh = createMcpWorker({ name: "bench-stateless", version: "1.0.0", transport: "stateless", setup, reuse: false });
const stateful = createMcpWorker({ name: "bench-stateful", version: "1.0.0", transport: "stateful", setup });
const unaudited = createMcpWorker({ name: "bench-stateless", version: "1.0.0", transport: "stateless", setup, audit: false });
/** The console sink's work short of the write itself: the length kept, so the serialising is not optimised away. */
let serialisedChars = 0;
const unwrittenSink: AuditSink = { write: (event) => void (serialisedChars += JSON.stringify(event).length) };
const unwritten = createMcpWorker({ name: "bench-stateless", version: "1.0.0", transport: "stateless", setup, audit: unwrittenSink });

export default {
  fetch(request: Request, env: { BENCH_TRANSPORT?: string; BENCH_AUDIT?: string; BENCH_REUSE?: string }, ctx: ExecutionContext) {
    if (env.BENCH_TRANSPORT === "stateful") return stateful.fetch(request, env, ctx);
    if (env.BENCH_REUSE === "off") return fresh.fetch(request, env, ctx);
    if (env.BENCH_AUDIT === "off") return unaudited.fetch(request, env, ctx);
    if (env.BENCH_AUDIT !== "unwritten") return stateless.fetch(request, env, ctx);
    // Only this variant has the count to report: the other variants' requests never look at the path.
    if (request.url.endsWith("/serialised-chars")) return new Response(String(serialisedChars));
    return unwritten.fetch(request, env, ctx);
  },
};
export const McpSession = stateful.McpSession;
