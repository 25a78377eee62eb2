/**
 * Per-tool metrics (issue 26 §2): one Analytics Engine data point per tool call and per refused
 * request, laid out as METRIC_COLUMNS says, the caller only as a digest. Analytics Engine drops
 * writes locally, so the dataset is the seam: a recording stand-in bound as MCP_METRICS.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LOCAL_METRICS_BINDING, METRIC_COLUMNS, METRICS_BINDING, METRICS_SCHEMA } from "../src/index.ts";
import { limitedWorker, quietAudit, quietWorker, statelessWorker } from "./fixtures/test-worker.ts";
import { RESOURCE, token } from "./helpers/tokens.ts";

type Point = { blobs: string[]; doubles: number[]; indexes: string[] };

function recordingDataset() {
  const points: Point[] = [];
  return { points, writeDataPoint: (p: Point) => void points.push(p) };
}

/** A point's columns by name (METRIC_COLUMNS), so a test reads what the SQL reads. */
function named(point: Point): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  METRIC_COLUMNS.blobs.forEach((name, i) => (out[name] = point.blobs[i]!));
  METRIC_COLUMNS.doubles.forEach((name, i) => (out[name] = point.doubles[i]!));
  METRIC_COLUMNS.indexes.forEach((name, i) => (out[name] = point.indexes[i]!));
  return out;
}

let seq = 0;
const unique = (prefix: string) => `${prefix}-${Date.now()}-${seq++}`;
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

/** A fresh env per test (sinks are composed per env object) with the dataset bound. */
function envWith(bindings: Record<string, unknown>) {
  return { ...(env as object), ...bindings } as never;
}


function modernCall(tool: string, bearer: string | undefined, traceparent?: string): Request {
  const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}, "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" }, ...(traceparent === undefined ? {} : { traceparent }) };
  return new Request(RESOURCE, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": tool,
      ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: tool, arguments: tool === "echo" ? { text: "hi" } : {}, _meta: meta } }),
  });
}

describe("per-tool metrics (Analytics Engine data points)", () => {
  it("writes one tool_call point per tool call: server, tool, outcome, era, latency, status, trace id", async () => {
    const dataset = recordingDataset();
    const sub = unique("auth0|metrics");
    const response = await statelessWorker.fetch(modernCall("echo", await token({ sub }), `00-${TRACE}-00f067aa0ba902b7-01`), envWith({ [METRICS_BINDING]: dataset }));
    expect(response.status).toBe(200);
    await response.text();
    await expect.poll(() => dataset.points.length).toBe(1);
    const point = named(dataset.points[0]!);
    expect(point).toMatchObject({ schema: METRICS_SCHEMA, kind: "tool_call", server: "test-stateless", tool: "echo", outcome: "ok", era: "modern", cause: "", method: "tools/call", traceId: TRACE, httpStatus: 200, rpcCode: 0 });
    expect(point.latencyMs).toBeGreaterThanOrEqual(0);
    expect(point.callerDigest).toMatch(/^[0-9a-f]{16}$/);
  });

  it("indexes a caller by a digest, the same for each of their calls and different for another caller, never the subject", async () => {
    const dataset = recordingDataset();
    const testEnv = envWith({ [METRICS_BINDING]: dataset });
    const alice = unique("auth0|alice");
    const bob = unique("auth0|bob");
    const bearers = [await token({ sub: alice }), await token({ sub: alice }), await token({ sub: bob })];
    for (const bearer of bearers) await (await statelessWorker.fetch(modernCall("echo", bearer), testEnv)).text();
    await expect.poll(() => dataset.points.length).toBe(3);
    const [a1, a2, b] = dataset.points.map((p) => named(p).callerDigest);
    expect(a1).toBe(a2);
    expect(b).not.toBe(a1);
    const everything = JSON.stringify(dataset.points);
    for (const secret of [alice, bob, ...bearers]) expect(everything).not.toContain(secret);
  });

  it("writes a refused point for a request without a token: cause auth, HTTP 401, an anonymous index", async () => {
    const dataset = recordingDataset();
    const response = await statelessWorker.fetch(modernCall("echo", undefined), envWith({ [METRICS_BINDING]: dataset }));
    expect(response.status).toBe(401);
    await expect.poll(() => dataset.points.length).toBe(1);
    // Refused before the body was read: no client-chosen name is recorded for an unauthenticated caller.
    expect(named(dataset.points[0]!)).toMatchObject({ kind: "refused", outcome: "denied", cause: "auth", httpStatus: 401, tool: "", method: "", callerDigest: "anonymous" });
  });

  it("writes a refused point with cause scope for a tool the token lacks the scope of (HTTP 403, MCP step-up)", async () => {
    const dataset = recordingDataset();
    const response = await statelessWorker.fetch(modernCall("bump", await token({ sub: unique("auth0|reader"), scopes: ["tools.read"] })), envWith({ [METRICS_BINDING]: dataset }));
    expect(response.status).toBe(403);
    await expect.poll(() => dataset.points.length).toBe(1);
    expect(named(dataset.points[0]!)).toMatchObject({ kind: "refused", outcome: "denied", cause: "scope", httpStatus: 403, tool: "bump" });
  });

  it("writes a refused point with cause rate_limit and the JSON-RPC code for a request over its budget", async () => {
    const dataset = recordingDataset();
    const testEnv = envWith({ [METRICS_BINDING]: dataset });
    const bearer = await token({ sub: unique("auth0|limited") });
    let status = 200;
    for (let i = 0; i < 5 && status !== 429; i++) {
      const response = await limitedWorker.fetch(modernCall("echo", bearer), testEnv);
      status = response.status;
      await response.text();
    }
    expect(status).toBe(429);
    await expect.poll(() => dataset.points.filter((p) => named(p).kind === "refused").length).toBe(1);
    expect(named(dataset.points.find((p) => named(p).kind === "refused")!)).toMatchObject({ cause: "rate_limit", outcome: "rate_limited", httpStatus: 429, rpcCode: -32000, server: "test-limited" });
  });

  it("prefers the local store (MCP_METRICS_LOCAL, npm run dev) to the dataset", async () => {
    const dataset = recordingDataset();
    const local = recordingDataset();
    const response = await statelessWorker.fetch(modernCall("echo", await token({ sub: unique("auth0|dev") })), envWith({ [METRICS_BINDING]: dataset, [LOCAL_METRICS_BINDING]: local }));
    await response.text();
    await expect.poll(() => local.points.length).toBe(1);
    expect(dataset.points).toHaveLength(0);
  });

  it("writes no point with metrics: false", async () => {
    const dataset = recordingDataset();
    const testEnv = envWith({ [METRICS_BINDING]: dataset });
    const response = await quietWorker.fetch(modernCall("echo", await token({ sub: unique("auth0|quiet") })), testEnv);
    expect(response.status).toBe(200);
    await response.text();
    // The tool ran (its audit line was written) and no point followed it.
    await expect.poll(() => quietAudit.events.filter((e) => e.type === "tool_call").length).toBe(1);
    expect(dataset.points).toHaveLength(0);
  });

  it("answers the call when the dataset throws: a lost point never fails a tool call", async () => {
    const testEnv = envWith({ [METRICS_BINDING]: { writeDataPoint: () => { throw new Error("dataset unavailable"); } } });
    const response = await statelessWorker.fetch(modernCall("echo", await token({ sub: unique("auth0|resilient") })), testEnv);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("hi");
  });
});
