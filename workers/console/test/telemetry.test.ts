/**
 * What the console shows (issue 26 §2, §4): the points the fleet's servers write — through the
 * local store under `npm run dev`, through Analytics Engine's SQL API in production — as the
 * charts' series, the table by tool, denials by cause and recent calls; each server's health.
 */
import { env, exports } from "cloudflare:workers";
import { shortDigest, toDataPoint, type MetricPoint } from "@edge-mcp/server";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { analyticsEngineSource } from "../src/analytics-engine-source.ts";
import { consoleConfig } from "../src/console-config.ts";
import { CONSOLE_ORIGIN } from "./console-test-env.ts";
import { mintToken } from "./helpers.ts";

let seq = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${seq++}`;
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

function point(server: string, over: Partial<MetricPoint> = {}): MetricPoint {
  return { kind: "tool_call", server, tool: "echo", outcome: "ok", era: "modern", cause: "", method: "tools/call", traceId: "", latencyMs: 10, httpStatus: 200, rpcCode: 0, caller: "dev|alice", ...over };
}

/** As a server's MCP_METRICS_LOCAL binding writes it: the real layout, through the TelemetryIngest entrypoint. */
async function write(p: MetricPoint) {
  await (exports as unknown as { TelemetryIngest: { writeDataPoint(point: unknown): Promise<void> } }).TelemetryIngest.writeDataPoint(await toDataPoint(p));
}

async function get<T>(path: string, testEnv: object = env): Promise<{ status: number; body: T }> {
  const res = await worker.fetch(new Request(new URL(path, CONSOLE_ORIGIN), { headers: { authorization: `Bearer ${await mintToken()}` } }), testEnv as never);
  return { status: res.status, body: (await res.json()) as T };
}

describe("the console's data from the local store (npm run dev)", () => {
  it("turns the points servers write into calls, error rate, p50/p95 per tool, and denials by cause", async () => {
    const server = unique("notes");
    for (const latencyMs of [5, 10, 15, 20, 100]) await write(point(server, { latencyMs }));
    await write(point(server, { outcome: "error", latencyMs: 30 }));
    await write(point(server, { tool: "whoami", latencyMs: 2 }));
    await write(point(server, { kind: "refused", outcome: "denied", cause: "scope", httpStatus: 403, latencyMs: 1 }));
    await write(point(server, { kind: "refused", outcome: "rate_limited", cause: "rate_limit", httpStatus: 429, latencyMs: 1 }));
    await write(point(server, { kind: "refused", outcome: "rate_limited", cause: "rate_limit", httpStatus: 429, latencyMs: 1 }));
    const { status, body } = await get<{ series: Array<{ calls: number; errors: number; p50: number | null }>; tools: Array<Record<string, unknown>>; denials: unknown[] }>(`/api/metrics?range=1h&server=${server}`);
    expect(status).toBe(200);
    expect(body.tools).toEqual([
      { server, tool: "echo", calls: 6, errors: 1, p50: 15, p95: 100 },
      { server, tool: "whoami", calls: 1, errors: 0, p50: 2, p95: 2 },
    ]);
    expect(body.series.reduce((n, p) => n + p.calls, 0)).toBe(7);
    // A point for every minute of the hour, the quiet ones with no latency (a gap in the chart).
    expect(body.series.length).toBeGreaterThanOrEqual(60);
    expect(body.series.filter((p) => p.calls === 0).every((p) => p.p50 === null)).toBe(true);
    expect(body.series.reduce((n, p) => n + p.errors, 0)).toBe(1);
    expect(body.denials).toEqual([{ cause: "rate_limit", count: 2 }, { cause: "scope", count: 1 }]);
  });

  it("finds recent calls by user (by the digest points carry), tool, outcome and trace id", async () => {
    const server = unique("gateway");
    await write(point(server, { caller: "dev|alice", tool: "notes__echo", traceId: TRACE }));
    await write(point(server, { caller: "dev|bob", tool: "notes__echo", outcome: "error" }));
    await write(point(server, { caller: "dev|bob", tool: "hello__time" }));
    const calls = async (query: string) => (await get<{ calls: Array<{ server: string; tool: string; caller: string; outcome: string }> }>(`/api/calls?${query}`)).body.calls.filter((c) => c.server === server);
    const bob = await shortDigest("caller:dev|bob");
    expect((await calls("user=dev%7Cbob")).map((c) => c.tool).sort()).toEqual(["hello__time", "notes__echo"]);
    expect((await calls("user=dev%7Cbob")).every((c) => c.caller === bob)).toBe(true);
    expect(await calls("user=dev%7Cbob&outcome=error")).toHaveLength(1);
    expect((await calls(`trace=${TRACE}`)).map((c) => c.caller)).toEqual([await shortDigest("caller:dev|alice")]);
    expect((await calls("tool=hello__time")).map((c) => c.tool)).toEqual(["hello__time"]);
  });

  it("refuses a malformed filter with 400 naming the parameter, before any query", async () => {
    const { status, body } = await get<{ error: string; message: string }>("/api/calls?trace=not-a-trace");
    expect(status).toBe(400);
    expect(body).toEqual({ error: "bad_query", message: "trace: must be a W3C trace id (32 lowercase hex digits)" });
    expect((await get("/api/metrics?server=%27%3B%20DROP")).status).toBe(400);
  });

  it("refuses what is not an Analytics Engine data point at the ingest entrypoint", async () => {
    await expect((exports as unknown as { TelemetryIngest: { writeDataPoint(point: unknown): Promise<boolean> } }).TelemetryIngest.writeDataPoint({ blobs: ["x".repeat(5000)] })).resolves.toBe(false);
  });
});

describe("the fleet's health", () => {
  it("shows each server's own report through its binding, a gateway's backends with it, and says which servers it cannot reach", async () => {
    const testEnv = {
      ...env,
      FLEET_SERVERS: "notes gateway ghost stuck",
      SERVER_NOTES: { health: async () => ({ status: "ok", name: "notes-mcp", version: "1.0.0", transport: "stateful", auth: { authorizationServerReachable: true } }) },
      SERVER_GATEWAY: { health: async () => ({ status: "ok", name: "gateway-mcp", transport: "stateless", auth: {}, backends: { notes: { status: "ok", tools: 4, latencyMs: 3 } }, rules: { version: "abc" } }) },
      SERVER_STUCK: { health: () => new Promise(() => undefined) },
    };
    const { body } = await get<{ servers: Array<Record<string, unknown>>; authorizationServer: { reachable: boolean }; source: string }>("/api/overview", testEnv);
    expect(body.source).toBe("local");
    expect(body.authorizationServer.reachable).toBe(true);
    expect(body.servers).toEqual([
      { slug: "notes", status: "ok", name: "notes-mcp", version: "1.0.0", transport: "stateful", authorizationServerReachable: true },
      { slug: "gateway", status: "ok", name: "gateway-mcp", transport: "stateless", backends: { notes: { status: "ok", tools: 4, latencyMs: 3 } }, rules: { version: "abc" } },
      { slug: "ghost", status: "unbound" },
      { slug: "stuck", status: "unreachable" },
    ]);
  });
});

describe("the console's data from Analytics Engine's SQL API (production)", () => {
  const config = consoleConfig({ ...env, TELEMETRY_SOURCE: "analytics-engine", CF_ACCOUNT_ID: "0123456789abcdef0123456789abcdef", CF_API_TOKEN: "cf-analytics-token-never-shown", METRICS_DATASET: "acme_calls" });

  function fakeSqlApi(rows: Array<Record<string, unknown>>, status = 200) {
    const sent: Array<{ url: string; auth: string | null; sql: string }> = [];
    const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
      sent.push({ url: String(input), auth: new Headers(init?.headers).get("authorization"), sql: String(init?.body) });
      // ClickHouse's JSON output: UInt64 sums come as strings.
      return Response.json({ meta: [], data: rows, rows: rows.length, rows_before_limit_at_least: rows.length }, { status });
    }) as typeof fetch;
    return { sent, fetchImpl };
  }

  it("sends the documented SQL with the account's token and reads ClickHouse's JSON (numbers as strings)", async () => {
    const api = fakeSqlApi([{ server: "notes-mcp", tool: "echo", calls: "12", errors: "1", p50: 8, p95: 40.5 }]);
    const source = analyticsEngineSource(config, api.fetchImpl);
    const tools = await source.tools({ sinceMs: Date.now() - 3_600_000, bucketMs: 60_000, server: "notes-mcp" });
    expect(tools).toEqual([{ server: "notes-mcp", tool: "echo", calls: 12, errors: 1, p50: 8, p95: 40.5 }]);
    expect(api.sent[0]!.url).toBe("https://api.cloudflare.com/client/v4/accounts/0123456789abcdef0123456789abcdef/analytics_engine/sql");
    expect(api.sent[0]!.auth).toBe("Bearer cf-analytics-token-never-shown");
    expect(api.sent[0]!.sql).toContain("FROM acme_calls");
    expect(api.sent[0]!.sql).toContain("blob3 = 'notes-mcp'");
    expect(api.sent[0]!.sql).toContain("SUM(_sample_interval) AS calls");
    expect(api.sent[0]!.sql.endsWith("FORMAT JSON")).toBe(true);
  });

  it("reads series times as Analytics Engine prints them (UTC DateTime)", async () => {
    const api = fakeSqlApi([{ t: "2026-12-07 06:05:00", calls: "3", errors: "0", p50: 4, p95: 9 }]);
    const [first] = await analyticsEngineSource(config, api.fetchImpl).series({ sinceMs: Date.now() - 3_600_000, bucketMs: 300_000 });
    expect(first).toEqual({ t: Date.UTC(2026, 11, 7, 6, 5), calls: 3, errors: 0, p50: 4, p95: 9 });
    expect(api.sent[0]!.sql).toContain("toStartOfInterval(timestamp, INTERVAL '300' SECOND) AS t");
  });

  it("answers 502 with what to check when the SQL API refuses, never echoing the token", async () => {
    const api = fakeSqlApi([], 403);
    const source = analyticsEngineSource(config, api.fetchImpl);
    const failure = await source.denials({ sinceMs: 0, bucketMs: 60_000 }).catch((e: unknown) => e as Error);
    expect((failure as Error).message).toContain("Account Analytics:Read");
    expect((failure as Error).message).not.toContain("cf-analytics-token-never-shown");
  });
});
