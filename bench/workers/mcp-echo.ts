/**
 * The MCP server measured by bench/mcp-throughput.ts and bench/audit-cost.ts: one `echo` tool,
 * served stateless or stateful (chosen by the BENCH_TRANSPORT binding), auth on or off
 * (AUTH_DISABLED), built servers reused (the default) or built per request (BENCH_REUSE = "off"), the audit log on (the default) or, stateless only, off (BENCH_AUDIT = "off") or
 * built and serialised but never written (BENCH_AUDIT = "unwritten": what the lines cost without
 * the `console.log`). BENCH_OBSERVE picks tracing and metrics: "on" (Workers' tracer, one metric
 * point per tool call to a dataset that drops it, as local workerd's Analytics Engine does) or
 * "off" (a tracer that records nothing, `metrics: false`), for bench/observability-cost.ts.
 */
import { createMcpWorker, METRICS_BINDING, type AuditSink, type EdgeMcpServer, type Tracer } from "@edge-mcp/server";
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

/** Tracing and metrics off: spans entered by nobody, no metric points. */
const SILENT_TRACER: Tracer = { enterSpan: (_name, callback) => callback({ setAttribute: () => undefined }) };
const unobserved = createMcpWorker({ name: "bench-stateless", version: "1.0.0", transport: "stateless", setup, tracer: SILENT_TRACER, metrics: false });
/** One of the two alone, to tell their costs apart. */
const tracedOnly = createMcpWorker({ name: "bench-stateless", version: "1.0.0", transport: "stateless", setup, metrics: false });
const measuredOnly = createMcpWorker({ name: "bench-stateless", version: "1.0.0", transport: "stateless", setup, tracer: SILENT_TRACER });
/** Local Analytics Engine: the write is taken and dropped (production buffers it natively). */
const droppingDataset = { writeDataPoint: (_point: unknown) => undefined };
/** The env with the dataset bound, made once per isolate's env (the server composes its sinks per env object). */
const observedEnvs = new WeakMap<object, object>();
function observedEnv(env: object): object {
  let observed = observedEnvs.get(env);
  if (observed === undefined) observedEnvs.set(env, (observed = { ...env, [METRICS_BINDING]: droppingDataset }));
  return observed;
}

export default {
  fetch(request: Request, env: { BENCH_TRANSPORT?: string; BENCH_AUDIT?: string; BENCH_REUSE?: string; BENCH_OBSERVE?: string }, ctx: ExecutionContext) {
    if (env.BENCH_OBSERVE === "on") return stateless.fetch(request, observedEnv(env) as typeof env, ctx);
    if (env.BENCH_OBSERVE === "off") return unobserved.fetch(request, env, ctx);
    if (env.BENCH_OBSERVE === "tracing") return tracedOnly.fetch(request, env, ctx);
    if (env.BENCH_OBSERVE === "metrics") return measuredOnly.fetch(request, observedEnv(env) as typeof env, ctx);
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
