import { shortDigest, type AuditEvent, type AuditSink, type McpRequestAudit, type RefusalCause, type ToolCallAudit } from "./audit.ts";

/**
 * Per-tool metrics as Workers Analytics Engine data points, derived from the audit events so the
 * two never disagree: one point per tool call (a `tool_call` line, or a gateway's relayed call)
 * and one per refused request. The layout is versioned like the audit line (docs/operations.md
 * holds the SQL that reads it; a column moved means a new `edge-mcp.metrics/N`).
 */
export const METRICS_SCHEMA = "edge-mcp.metrics/1";

/** The Analytics Engine binding `createMcpWorker` writes to when the env has it (wrangler.toml.template). */
export const METRICS_BINDING = "MCP_METRICS";

/**
 * A local stand-in for the dataset (`npm run dev`: Miniflare drops Analytics Engine writes), tried
 * first: the operator console's `TelemetryStore` entrypoint, which takes the same points.
 */
export const LOCAL_METRICS_BINDING = "MCP_METRICS_LOCAL";

/** The columns, by position (Analytics Engine names them blob1…, double1…, index1). */
export const METRIC_COLUMNS = Object.freeze({
  blobs: ["schema", "kind", "server", "tool", "outcome", "era", "cause", "method", "traceId"] as const,
  doubles: ["latencyMs", "httpStatus", "rpcCode"] as const,
  indexes: ["callerDigest"] as const,
});

/** What a Workers Analytics Engine dataset binding takes (`AnalyticsEngineDataset` in workers-types). */
export interface MetricsDataset {
  writeDataPoint(point: { blobs?: string[]; doubles?: number[]; indexes?: string[] }): void | Promise<void>;
}

/** One metric point before it is laid out in columns. */
export interface MetricPoint {
  readonly kind: "tool_call" | "refused";
  readonly server: string;
  /** The tool (empty for a refused request that named none). */
  readonly tool: string;
  readonly outcome: string;
  readonly era: string;
  /** Empty unless refused. */
  readonly cause: RefusalCause | "";
  /** The JSON-RPC method (tools/call for a tool call). */
  readonly method: string;
  readonly traceId: string;
  readonly latencyMs: number;
  readonly httpStatus: number;
  /** The JSON-RPC error code of a refusal, 0 when there is none. */
  readonly rpcCode: number;
  /** Who called, as the sampling index: never the subject itself. */
  readonly caller: string | null;
}

/** The point an audit event stands for, if any (a successful non-tool request, or a backend change, has none). */
export function metricPointOf(event: AuditEvent): MetricPoint | undefined {
  if (event.type === "tool_call") return toolPoint(event);
  if (event.type !== "mcp_request") return undefined;
  // A gateway's relayed 2026-07-28 call has no tool line of its own: its request line stands for it.
  if (event.backend !== undefined && event.tools.length === 1 && event.refusal === undefined) {
    return { ...requestBase(event), kind: "tool_call", tool: event.tools[0]!, cause: "" };
  }
  if (event.refusal === undefined) return undefined;
  return { ...requestBase(event), kind: "refused", tool: event.tools[0] ?? "", cause: event.refusal };
}

function toolPoint(event: ToolCallAudit): MetricPoint {
  return {
    kind: "tool_call",
    server: event.server,
    tool: event.tool,
    outcome: event.outcome,
    era: event.era ?? "",
    cause: event.outcome === "denied" ? "scope" : "",
    method: "tools/call",
    traceId: event.traceId ?? "",
    latencyMs: event.latencyMs,
    httpStatus: 200,
    rpcCode: 0,
    caller: event.subject,
  };
}

function requestBase(event: McpRequestAudit) {
  return {
    server: event.server,
    outcome: event.outcome,
    era: event.era ?? "",
    method: event.methods[0] ?? "",
    traceId: event.traceId ?? "",
    latencyMs: event.latencyMs,
    httpStatus: event.status,
    rpcCode: event.rpcCode ?? 0,
    caller: event.subject,
  };
}

/** How many callers' digests an isolate keeps (a call by a known caller then costs no hashing). */
const CALLER_DIGESTS_KEPT = 1_024;
const callerDigests = new Map<string, string>();

/** The caller's sampling index: the first 16 hex digits of SHA-256 of `caller:<sub>`, remembered per isolate. */
function callerDigest(subject: string | null): string | Promise<string> {
  if (subject === null) return "anonymous";
  const known = callerDigests.get(subject);
  if (known !== undefined) return known;
  return shortDigest(`caller:${subject}`).then((digest) => {
    if (callerDigests.size >= CALLER_DIGESTS_KEPT) callerDigests.delete(callerDigests.keys().next().value!);
    callerDigests.set(subject, digest);
    return digest;
  });
}

type DataPoint = { blobs: string[]; doubles: number[]; indexes: string[] };

function layout(point: MetricPoint, caller: string): DataPoint {
  return {
    blobs: [METRICS_SCHEMA, point.kind, point.server, point.tool, point.outcome, point.era, point.cause, point.method, point.traceId],
    doubles: [point.latencyMs, point.httpStatus, point.rpcCode],
    indexes: [caller],
  };
}

/** A point laid out in the dataset's columns; the caller only as a digest ("anonymous" before verification). */
export async function toDataPoint(point: MetricPoint): Promise<DataPoint> {
  return layout(point, await callerDigest(point.caller));
}

/**
 * An audit sink that writes each event's metric point to a dataset. Synchronous for a known caller
 * and Analytics Engine (whose write returns nothing); a promise only where there is I/O to wait for
 * (a first digest, the local store). Never throws: a lost point must not fail a call.
 */
export function metricsSink(dataset: MetricsDataset): AuditSink {
  const send = (point: MetricPoint, caller: string): void | Promise<void> => {
    try {
      const written = dataset.writeDataPoint(layout(point, caller));
      return written === undefined ? undefined : Promise.resolve(written).catch(() => undefined);
    } catch {
      // Analytics Engine is fire-and-forget; a local store that went away loses a point, not a call.
      return undefined;
    }
  };
  return {
    write(event) {
      const point = metricPointOf(event);
      if (point === undefined) return undefined;
      const caller = callerDigest(point.caller);
      return typeof caller === "string" ? send(point, caller) : caller.then((digest) => send(point, digest));
    },
  };
}

/** The dataset of an env: the local store when bound (dev), else Analytics Engine, else none. */
export function metricsDatasetOf(env: object): MetricsDataset | undefined {
  for (const name of [LOCAL_METRICS_BINDING, METRICS_BINDING]) {
    const binding = (env as Record<string, unknown>)[name] as Partial<MetricsDataset> | undefined;
    if (binding !== undefined && binding !== null && typeof binding.writeDataPoint === "function") return binding as MetricsDataset;
  }
  return undefined;
}
