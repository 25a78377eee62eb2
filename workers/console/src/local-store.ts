import { DurableObject, WorkerEntrypoint } from "cloudflare:workers";
import { z } from "zod";
import { callRowOf, denialsOf, isCurrentPoint, recentOf, seriesOf, toolsOf, type StoredPoint } from "./stored-point.ts";
import type { TelemetrySource } from "./telemetry-source.ts";

/** How many points the local store keeps (the oldest go first): a day of a busy dev fleet. */
export const LOCAL_STORE_MAX_POINTS = 20_000;

/** Analytics Engine's own limits on a data point (20 blobs, 20 doubles, one index of ≤ 96 bytes). */
const DataPointSchema = z.strictObject({
  blobs: z.array(z.string().max(1024)).max(20).default([]),
  doubles: z.array(z.number().finite()).max(20).default([]),
  indexes: z.array(z.string().max(96)).max(1).default([]),
});

interface Env {
  readonly TELEMETRY_STORE: DurableObjectNamespace<TelemetryStore>;
}

/**
 * The local stand-in for Analytics Engine (`npm run dev`, where Miniflare drops its writes): one
 * SQLite-backed object that keeps the last points the fleet wrote, in the dataset's columns.
 */
export class TelemetryStore extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS points (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp INTEGER NOT NULL, blobs TEXT NOT NULL, doubles TEXT NOT NULL, idx TEXT NOT NULL)");
    ctx.storage.sql.exec("CREATE INDEX IF NOT EXISTS points_by_time ON points (timestamp)");
  }

  /** Keeps one point (as `writeDataPoint` takes it), and lets the oldest go past the bound; false for what is not a data point. */
  write(point: unknown, timestamp = Date.now()): boolean {
    const parsed = DataPointSchema.safeParse(point);
    if (!parsed.success) return false;
    const { blobs, doubles, indexes } = parsed.data;
    this.ctx.storage.sql.exec("INSERT INTO points (timestamp, blobs, doubles, idx) VALUES (?, ?, ?, ?)", timestamp, JSON.stringify(blobs), JSON.stringify(doubles), indexes[0] ?? "");
    this.ctx.storage.sql.exec("DELETE FROM points WHERE id <= (SELECT MAX(id) FROM points) - ?", LOCAL_STORE_MAX_POINTS);
    return true;
  }

  /** The points written since a time, oldest first. */
  since(sinceMs: number): StoredPoint[] {
    return this.ctx.storage.sql
      .exec<{ timestamp: number; blobs: string; doubles: string; idx: string }>("SELECT timestamp, blobs, doubles, idx FROM points WHERE timestamp >= ? ORDER BY id", sinceMs)
      .toArray()
      .map((row) => ({ timestamp: row.timestamp, blobs: JSON.parse(row.blobs) as string[], doubles: JSON.parse(row.doubles) as number[], index: row.idx }));
  }
}

function storeOf(env: Env) {
  return env.TELEMETRY_STORE.get(env.TELEMETRY_STORE.idFromName("local"));
}

/**
 * What every server's `MCP_METRICS_LOCAL` binding reaches under `npm run dev`: the same
 * `writeDataPoint` an Analytics Engine dataset offers, into the local store.
 */
export class TelemetryIngest extends WorkerEntrypoint<Env> {
  /** Whether the point was kept: false for what is not a data point (≤ 20 blobs of ≤ 1024 characters, ≤ 20 doubles, one index ≤ 96). */
  async writeDataPoint(point: unknown): Promise<boolean> {
    return storeOf(this.env).write(point);
  }
}

/** The console's data from the local store. */
export function localSource(env: Env): TelemetrySource {
  const rows = async (sinceMs: number) => (await storeOf(env).since(sinceMs)).filter(isCurrentPoint).map(callRowOf);
  return {
    name: "local",
    series: async (window) => seriesOf(await rows(window.sinceMs), window),
    tools: async (window) => toolsOf(await rows(window.sinceMs), window),
    denials: async (window) => denialsOf(await rows(window.sinceMs), window),
    recent: async (filter) => recentOf(await rows(filter.sinceMs), filter),
  };
}
