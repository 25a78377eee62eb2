/**
 * What the console shows, from wherever the points are: Analytics Engine's SQL API in production
 * (analytics-engine-source.ts), the local store under `npm run dev` (local-store.ts). Both read the
 * points `@edge-mcp/server` writes (METRIC_COLUMNS): one per tool call and per refused request.
 */
export interface MetricsWindow {
  /** From this time (ms since the epoch) to now. */
  readonly sinceMs: number;
  /** Width of one point of a chart's series, in milliseconds. */
  readonly bucketMs: number;
  readonly server?: string;
  readonly tool?: string;
}

export interface SeriesPoint {
  /** Start of the bucket, ms since the epoch. */
  readonly t: number;
  readonly calls: number;
  readonly errors: number;
  readonly p50: number;
  readonly p95: number;
}

export interface ToolRow {
  readonly server: string;
  readonly tool: string;
  readonly calls: number;
  readonly errors: number;
  readonly p50: number;
  readonly p95: number;
}

export interface DenialRow {
  /** scope, rule, rate_limit, auth, origin, invalid, error. */
  readonly cause: string;
  readonly count: number;
}

export interface RecentFilter {
  readonly sinceMs: number;
  readonly limit: number;
  /** The caller's digest (the console hashes the user id typed in; points never hold it). */
  readonly caller?: string;
  readonly tool?: string;
  readonly outcome?: string;
  readonly traceId?: string;
}

export interface CallRow {
  readonly time: number;
  readonly kind: string;
  readonly server: string;
  readonly tool: string;
  readonly outcome: string;
  readonly cause: string;
  readonly era: string;
  readonly method: string;
  readonly traceId: string;
  readonly latencyMs: number;
  readonly httpStatus: number;
  readonly rpcCode: number;
  readonly caller: string;
}

export interface TelemetrySource {
  readonly name: "local" | "analytics-engine";
  series(window: MetricsWindow): Promise<SeriesPoint[]>;
  tools(window: MetricsWindow): Promise<ToolRow[]>;
  denials(window: MetricsWindow): Promise<DenialRow[]>;
  recent(filter: RecentFilter): Promise<CallRow[]>;
}
