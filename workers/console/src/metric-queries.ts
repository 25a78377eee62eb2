import { METRICS_SCHEMA } from "@edge-mcp/server";
import type { MetricsWindow, RecentFilter } from "./telemetry-source.ts";

/**
 * The SQL the console sends to Analytics Engine's SQL API — and docs/operations.md lists for an
 * operator's own queries (a test holds the page to these). Columns: METRIC_COLUMNS of
 * `@edge-mcp/server` (blob1 schema, blob2 kind, blob3 server, blob4 tool, blob5 outcome, blob6 era,
 * blob7 cause, blob8 method, blob9 trace id; double1 latency ms, double2 HTTP status, double3
 * JSON-RPC code; index1 the caller's digest). Analytics Engine samples: every count is
 * `SUM(_sample_interval)` and every percentile weighted by it.
 */

/** A string literal for one of the console's validated values (names, digests, trace ids). */
function literal(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function where(dataset: string, kind: string | undefined, sinceMs: number, now: number, filters: Record<string, string | undefined>): string {
  const seconds = Math.max(1, Math.ceil((now - sinceMs) / 1000));
  const parts = [`blob1 = ${literal(METRICS_SCHEMA)}`, `timestamp > NOW() - INTERVAL '${seconds}' SECOND`];
  if (kind !== undefined) parts.splice(1, 0, `blob2 = ${literal(kind)}`);
  for (const [column, value] of Object.entries(filters)) if (value !== undefined) parts.push(`${column} = ${literal(value)}`);
  return `FROM ${dataset}\nWHERE ${parts.join("\n  AND ")}`;
}

/** Calls, errors, p50 and p95 latency per time bucket (the calls and latency charts). */
export function seriesSql(dataset: string, w: MetricsWindow, now = Date.now()): string {
  return `SELECT toStartOfInterval(timestamp, INTERVAL '${Math.round(w.bucketMs / 1000)}' SECOND) AS t,
  SUM(_sample_interval) AS calls,
  SUM(IF(blob5 = 'error', _sample_interval, 0)) AS errors,
  quantileExactWeighted(0.5)(double1, _sample_interval) AS p50,
  quantileExactWeighted(0.95)(double1, _sample_interval) AS p95
${where(dataset, "tool_call", w.sinceMs, now, { blob3: w.server, blob4: w.tool })}
GROUP BY t
ORDER BY t`;
}

/** Per server and tool: calls, errors and latency (the table by tool). */
export function toolsSql(dataset: string, w: MetricsWindow, now = Date.now()): string {
  return `SELECT blob3 AS server, blob4 AS tool,
  SUM(_sample_interval) AS calls,
  SUM(IF(blob5 = 'error', _sample_interval, 0)) AS errors,
  quantileExactWeighted(0.5)(double1, _sample_interval) AS p50,
  quantileExactWeighted(0.95)(double1, _sample_interval) AS p95
${where(dataset, "tool_call", w.sinceMs, now, { blob3: w.server, blob4: w.tool })}
GROUP BY server, tool
ORDER BY calls DESC
LIMIT 200`;
}

/** Refused requests and scope-denied tool calls by cause (the denials chart). */
export function denialsSql(dataset: string, w: MetricsWindow, now = Date.now()): string {
  return `SELECT blob7 AS cause, SUM(_sample_interval) AS count
${where(dataset, undefined, w.sinceMs, now, { blob3: w.server, blob4: w.tool })}
  AND (blob2 = 'refused' OR blob5 = 'denied')
GROUP BY cause
ORDER BY count DESC`;
}

/** The latest calls and refusals, filtered by caller digest, tool, outcome or trace id. */
export function recentSql(dataset: string, f: RecentFilter, now = Date.now()): string {
  return `SELECT timestamp, blob2 AS kind, blob3 AS server, blob4 AS tool, blob5 AS outcome, blob6 AS era, blob7 AS cause, blob8 AS method, blob9 AS traceId,
  double1 AS latencyMs, double2 AS httpStatus, double3 AS rpcCode, index1 AS caller
${where(dataset, undefined, f.sinceMs, now, { index1: f.caller, blob4: f.tool, blob5: f.outcome, blob9: f.traceId })}
ORDER BY timestamp DESC
LIMIT ${Math.max(1, Math.min(200, Math.floor(f.limit)))}`;
}
