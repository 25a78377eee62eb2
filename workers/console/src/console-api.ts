import { shortDigest } from "@edge-mcp/server";
import { z } from "zod";
import type { ConsoleConfig } from "./console-config.ts";
import { fleetHealth } from "./fleet-health.ts";
import type { SeriesPoint, TelemetrySource } from "./telemetry-source.ts";

/** The ranges the charts offer: how far back, and one chart point's width, in milliseconds. */
export const RANGES = Object.freeze({
  "1h": { spanMs: 3_600_000, bucketMs: 60_000 },
  "6h": { spanMs: 6 * 3_600_000, bucketMs: 5 * 60_000 },
  "24h": { spanMs: 24 * 3_600_000, bucketMs: 15 * 60_000 },
});

/** Names as servers and tools have them; anything else is refused before a query is built. */
const Name = z.string().regex(/^[A-Za-z0-9_.:/|-]{1,128}$/, "must be a server or tool name");
const Blank = z.literal("").transform(() => undefined);

const MetricsQuery = z.object({
  range: z.enum(["1h", "6h", "24h"]).default("1h"),
  server: Name.or(Blank).optional(),
  tool: Name.or(Blank).optional(),
});

const CallsQuery = z.object({
  range: z.enum(["1h", "6h", "24h"]).default("24h"),
  user: z.string().max(256).optional(),
  tool: Name.or(Blank).optional(),
  outcome: z.enum(["ok", "error", "denied", "rate_limited"]).or(Blank).optional(),
  trace: z.string().regex(/^[0-9a-f]{32}$/, "must be a W3C trace id (32 lowercase hex digits)").or(Blank).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** A query string the API refuses: 400 with the parameter and why. */
export class BadQueryError extends Error {
  override readonly name = "BadQueryError";
  readonly code = "bad_query";
}

function parse<T extends z.ZodType>(schema: T, query: Record<string, string>): z.output<T> {
  const result = schema.safeParse(query);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new BadQueryError(`${issue?.path.join(".") || "query"}: ${issue?.message ?? "invalid"}`);
  }
  return result.data;
}

/** `GET /api/overview`: each server's health (a gateway's backends with it), the authorization server's, and where the data comes from. */
export async function overview(config: ConsoleConfig, env: object, source: TelemetrySource) {
  return { ...(await fleetHealth(config, env)), source: source.name };
}

/** `GET /api/metrics`: the charts' series, the table by tool, and denials by cause, for one range (and server / tool). */
export async function metrics(query: Record<string, string>, source: TelemetrySource, now = Date.now()) {
  const q = parse(MetricsQuery, query);
  const range = RANGES[q.range];
  const window = { sinceMs: now - range.spanMs, bucketMs: range.bucketMs, ...(q.server === undefined ? {} : { server: q.server }), ...(q.tool === undefined ? {} : { tool: q.tool }) };
  const [series, tools, denials] = await Promise.all([source.series(window), source.tools(window), source.denials(window)]);
  return { range: q.range, bucketMs: range.bucketMs, series: everyBucket(series, window.sinceMs, now, range.bucketMs), tools, denials };
}

/** The series with a point for every bucket of the range: none called is 0 calls and no latency (a gap, not 0 ms). */
function everyBucket(series: readonly SeriesPoint[], sinceMs: number, now: number, bucketMs: number): Array<SeriesPoint | { t: number; calls: 0; errors: 0; p50: null; p95: null }> {
  const byTime = new Map(series.map((p) => [p.t, p]));
  const out: Array<SeriesPoint | { t: number; calls: 0; errors: 0; p50: null; p95: null }> = [];
  for (let t = Math.floor(sinceMs / bucketMs) * bucketMs; t <= now; t += bucketMs) out.push(byTime.get(t) ?? { t, calls: 0, errors: 0, p50: null, p95: null });
  return out;
}

/**
 * `GET /api/calls`: the latest calls and refusals. A user is looked up by the digest points carry
 * (the same `caller:` digest `@edge-mcp/server` writes), never stored or sent as typed.
 */
export async function calls(query: Record<string, string>, source: TelemetrySource, now = Date.now()) {
  const q = parse(CallsQuery, query);
  const user = q.user?.trim();
  const caller = user === undefined || user === "" ? undefined : await shortDigest(`caller:${user}`);
  const rows = await source.recent({
    sinceMs: now - RANGES[q.range].spanMs,
    limit: q.limit,
    ...(caller === undefined ? {} : { caller }),
    ...(q.tool === undefined ? {} : { tool: q.tool }),
    ...(q.outcome === undefined ? {} : { outcome: q.outcome }),
    ...(q.trace === undefined ? {} : { traceId: q.trace }),
  });
  return { calls: rows };
}
