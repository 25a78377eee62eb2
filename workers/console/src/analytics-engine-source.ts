import type { ConsoleConfig } from "./console-config.ts";
import { denialsSql, recentSql, seriesSql, toolsSql } from "./metric-queries.ts";
import type { TelemetrySource } from "./telemetry-source.ts";

/** Why the SQL API did not answer: what the console's API says (never the token). */
export class AnalyticsEngineError extends Error {
  override readonly name = "AnalyticsEngineError";
  readonly code = "analytics_engine_unavailable";
}

/** Analytics Engine answers in ClickHouse's JSON: 64-bit numbers may come as strings. */
const num = (v: unknown) => (typeof v === "number" ? v : Number(v ?? 0)) || 0;
/** `2026-12-07 06:00:00` (UTC, as Analytics Engine prints DateTime) → ms since the epoch. */
const timeOf = (v: unknown) => (typeof v === "number" ? v * 1000 : Date.parse(`${String(v).replace(" ", "T")}Z`));

/**
 * The console's data from Workers Analytics Engine's SQL API
 * (`POST /accounts/{account}/analytics_engine/sql`, the query as the body, a token with Account
 * Analytics:Read). Only production has data there: local workerd drops the writes.
 */
export function analyticsEngineSource(config: ConsoleConfig, fetchImpl: typeof fetch = fetch): TelemetrySource {
  const run = async (sql: string): Promise<Array<Record<string, unknown>>> => {
    const res = await fetchImpl(`${config.CF_API_BASE}/accounts/${config.CF_ACCOUNT_ID}/analytics_engine/sql`, {
      method: "POST",
      headers: { authorization: `Bearer ${config.CF_API_TOKEN}`, "content-type": "text/plain" },
      body: `${sql}\nFORMAT JSON`,
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) throw new AnalyticsEngineError(`Analytics Engine's SQL API answered HTTP ${res.status}: check CF_ACCOUNT_ID and that CF_API_TOKEN has Account Analytics:Read.`);
    return ((await res.json()) as { data?: Array<Record<string, unknown>> }).data ?? [];
  };
  const dataset = config.METRICS_DATASET;
  return {
    name: "analytics-engine",
    series: async (w) => (await run(seriesSql(dataset, w))).map((r) => ({ t: timeOf(r.t), calls: num(r.calls), errors: num(r.errors), p50: num(r.p50), p95: num(r.p95) })),
    tools: async (w) => (await run(toolsSql(dataset, w))).map((r) => ({ server: String(r.server), tool: String(r.tool), calls: num(r.calls), errors: num(r.errors), p50: num(r.p50), p95: num(r.p95) })),
    denials: async (w) => (await run(denialsSql(dataset, w))).map((r) => ({ cause: String(r.cause), count: num(r.count) })),
    recent: async (f) =>
      (await run(recentSql(dataset, f))).map((r) => ({
        time: timeOf(r.timestamp), kind: String(r.kind), server: String(r.server), tool: String(r.tool), outcome: String(r.outcome), cause: String(r.cause), era: String(r.era),
        method: String(r.method), traceId: String(r.traceId), latencyMs: num(r.latencyMs), httpStatus: num(r.httpStatus), rpcCode: num(r.rpcCode), caller: String(r.caller),
      })),
  };
}
