import { METRIC_COLUMNS, METRICS_SCHEMA } from "@edge-mcp/server";
import type { CallRow, DenialRow, MetricsWindow, RecentFilter, SeriesPoint, ToolRow } from "./telemetry-source.ts";

/** A point as the local store keeps it: Analytics Engine's columns, and the time it was written. */
export interface StoredPoint {
  readonly timestamp: number;
  readonly blobs: readonly string[];
  readonly doubles: readonly number[];
  readonly index: string;
}

/** A point's columns by name (METRIC_COLUMNS), the one reading of the layout the console has. */
export function callRowOf(point: StoredPoint): CallRow {
  const blob = (name: (typeof METRIC_COLUMNS.blobs)[number]) => point.blobs[METRIC_COLUMNS.blobs.indexOf(name)] ?? "";
  const double = (name: (typeof METRIC_COLUMNS.doubles)[number]) => point.doubles[METRIC_COLUMNS.doubles.indexOf(name)] ?? 0;
  return {
    time: point.timestamp,
    kind: blob("kind"),
    server: blob("server"),
    tool: blob("tool"),
    outcome: blob("outcome"),
    cause: blob("cause"),
    era: blob("era"),
    method: blob("method"),
    traceId: blob("traceId"),
    latencyMs: double("latencyMs"),
    httpStatus: double("httpStatus"),
    rpcCode: double("rpcCode"),
    caller: point.index,
  };
}

/** Whether a stored point is one of ours, in this layout version. */
export function isCurrentPoint(point: StoredPoint): boolean {
  return point.blobs[METRIC_COLUMNS.blobs.indexOf("schema")] === METRICS_SCHEMA;
}

/** The nearest-rank percentile of sorted values (0 for none). */
function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function summary(rows: readonly CallRow[]) {
  const latencies = rows.map((r) => r.latencyMs).sort((a, b) => a - b);
  return { calls: rows.length, errors: rows.filter((r) => r.outcome === "error").length, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) };
}

function inWindow(rows: readonly CallRow[], window: MetricsWindow): CallRow[] {
  return rows.filter((r) => r.time >= window.sinceMs && (window.server === undefined || r.server === window.server) && (window.tool === undefined || r.tool === window.tool));
}

/** Calls, errors and latency percentiles per bucket: what the production SQL computes, over local rows. */
export function seriesOf(rows: readonly CallRow[], window: MetricsWindow): SeriesPoint[] {
  const buckets = new Map<number, CallRow[]>();
  for (const row of inWindow(rows, window)) {
    if (row.kind !== "tool_call") continue;
    const t = Math.floor(row.time / window.bucketMs) * window.bucketMs;
    buckets.set(t, [...(buckets.get(t) ?? []), row]);
  }
  return [...buckets].sort(([a], [b]) => a - b).map(([t, bucket]) => ({ t, ...summary(bucket) }));
}

export function toolsOf(rows: readonly CallRow[], window: MetricsWindow): ToolRow[] {
  const byTool = new Map<string, CallRow[]>();
  for (const row of inWindow(rows, window)) {
    if (row.kind !== "tool_call") continue;
    const key = `${row.server}\u0000${row.tool}`;
    byTool.set(key, [...(byTool.get(key) ?? []), row]);
  }
  return [...byTool.values()].map((group) => ({ server: group[0]!.server, tool: group[0]!.tool, ...summary(group) })).sort((a, b) => b.calls - a.calls);
}

/** Refused requests and tool calls denied by scope, by cause. */
export function denialsOf(rows: readonly CallRow[], window: MetricsWindow): DenialRow[] {
  const counts = new Map<string, number>();
  for (const row of inWindow(rows, window)) {
    if (row.kind === "refused" || row.outcome === "denied") counts.set(row.cause, (counts.get(row.cause) ?? 0) + 1);
  }
  return [...counts].map(([cause, count]) => ({ cause, count })).sort((a, b) => b.count - a.count);
}

export function recentOf(rows: readonly CallRow[], filter: RecentFilter): CallRow[] {
  return rows
    .filter((r) => r.time >= filter.sinceMs && (filter.caller === undefined || r.caller === filter.caller) && (filter.tool === undefined || r.tool === filter.tool) && (filter.outcome === undefined || r.outcome === filter.outcome) && (filter.traceId === undefined || r.traceId === filter.traceId))
    .sort((a, b) => b.time - a.time)
    .slice(0, filter.limit);
}
