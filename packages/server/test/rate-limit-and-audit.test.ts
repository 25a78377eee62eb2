import { env } from "cloudflare:workers";
import type { AuditEvent } from "@edge-mcp/server";
import { describe, expect, it } from "vitest";
import { auditLog, limitedWorker } from "./fixtures/test-worker.ts";
import { INITIALIZE, post } from "./helpers/mcp.ts";
import { RESOURCE, token } from "./helpers/tokens.ts";

let seq = 0;
const unique = (prefix: string) => `${prefix}-${Date.now()}-${seq++}`;
const call = (name: string) => ({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: name === "echo" ? { text: "x" } : {} } });

function send(body: unknown, bearer: string) {
  return limitedWorker.fetch(new Request(RESOURCE, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${bearer}` },
    body: JSON.stringify(body),
  }), env as never);
}

describe("rate limiting (RateLimitCounter Durable Object; 3 requests, 1 write per 60 s)", () => {
  it("allows exactly the limit, then answers 429 with Retry-After and a JSON-RPC error, running nothing", async () => {
    const bearer = await token({ sub: unique("auth0|limit"), client: unique("cli") });
    for (let i = 0; i < 3; i++) {
      const ok = await send(call("echo"), bearer);
      expect(ok.status).toBe(200);
      await ok.text();
    }
    const before = auditLog.events.filter((e) => e.type === "tool_call").length;
    const limited = await send(call("echo"), bearer);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(await limited.json()).toMatchObject({ jsonrpc: "2.0", id: 1, error: { code: -32000, data: { code: "rate_limited" } } });
    expect(auditLog.events.filter((e) => e.type === "tool_call").length).toBe(before);
  });

  it("limits tools.write calls separately (1 per window)", async () => {
    const bearer = await token({ sub: unique("auth0|writer"), client: unique("cli"), scopes: ["tools.read", "tools.write"] });
    const first = await send(call("bump"), bearer);
    expect(first.status).toBe(200);
    await first.text();
    expect((await send(call("bump"), bearer)).status).toBe(429);
    const read = await send(call("echo"), bearer);
    expect(read.status).toBe(200); // reads still have budget
    await read.text();
  });

  it("keeps limits per user: another user of the same client is not affected by the first one's limit", async () => {
    const client = unique("shared-client");
    const a = await token({ sub: unique("auth0|a"), client });
    const b = await token({ sub: unique("auth0|b"), client: unique("other-client") });
    for (let i = 0; i < 3; i++) await (await send(call("echo"), a)).text();
    expect((await send(call("echo"), a)).status).toBe(429);
    const other = await send(call("echo"), b);
    expect(other.status).toBe(200);
    await other.text();
  });

  it("does not let one user exhaust a shared public client's budget for its other users (issue 13 §5)", async () => {
    const client = unique("installed-app");
    const greedy = await token({ sub: unique("auth0|greedy"), client });
    for (let i = 0; i < 3; i++) await (await send(call("echo"), greedy)).text();
    expect((await send(call("echo"), greedy)).status).toBe(429);
    const other = await send(call("echo"), await token({ sub: unique("auth0|other"), client }));
    expect(other.status).toBe(200);
    await other.text();
  });

  it("limits machine (client-credentials) tokens per client: Auth0's <client>@clients subject", async () => {
    const client = unique("machine");
    const bearer = await token({ sub: `${client}@clients`, client });
    for (let i = 0; i < 3; i++) await (await send(call("echo"), bearer)).text();
    const limited = await send(call("echo"), bearer);
    expect(limited.status).toBe(429);
  });

  it("counts every message of a batch: 2 tools.write calls in one POST exceed a budget of 1 write (issue 13 §4)", async () => {
    const sub = unique("auth0|batcher");
    const bearer = await token({ sub, client: unique("cli"), scopes: ["tools.read", "tools.write"] });
    const batch = [1, 2].map((id) => ({ ...call("bump"), id }));
    const res = await send(batch, bearer);
    expect(res.status).toBe(429);
    await res.text();
    expect(auditLog.events.filter((e) => e.type === "tool_call" && e.subject === sub)).toEqual([]); // nothing ran
  });

  it("counts every message against the request budget: a batch of 4 reads exceeds 3 requests", async () => {
    const bearer = await token({ sub: unique("auth0|reader"), client: unique("cli") });
    const res = await send([1, 2, 3, 4].map((id) => ({ ...call("echo"), id })), bearer);
    expect(res.status).toBe(429);
    await res.text();
  });

  it("refuses batches for protocol versions that removed them (2025-06-18 and later) with -32600", async () => {
    const bearer = await token({ sub: unique("auth0|modern"), client: unique("cli") });
    const res = await limitedWorker.fetch(new Request(RESOURCE, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${bearer}`, "mcp-protocol-version": "2025-06-18" },
      body: JSON.stringify([call("echo")]),
    }), env as never);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: -32600 } });
  });
});

describe("RateLimitCounter at the window boundary (explicit clock)", () => {
  it("allows exactly `limit` hits per window and resets exactly when the window ends", async () => {
    const ns = (env as unknown as { RATE_LIMIT: DurableObjectNamespace<import("../src/index.ts").RateLimitCounter> }).RATE_LIMIT;
    const counter = ns.get(ns.idFromName(unique("boundary")));
    const t0 = 1_000_000;
    expect(await counter.hit(2, 10_000, t0)).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect(await counter.hit(2, 10_000, t0 + 1)).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect(await counter.hit(2, 10_000, t0 + 2)).toEqual({ allowed: false, retryAfterSeconds: 10 });
    expect(await counter.hit(2, 10_000, t0 + 9_999)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(await counter.hit(2, 10_000, t0 + 10_000)).toEqual({ allowed: true, retryAfterSeconds: 0 });
  });
});

describe("rate limiting with the Workers Rate Limiting binding", () => {
  it("uses RATE_LIMITER when the worker has one, keyed per user (a user token is not limited per client)", async () => {
    const keys: string[] = [];
    let budget = 1;
    const RATE_LIMITER = { limit: async ({ key }: { key: string }) => (keys.push(key), { success: budget-- > 0 }) };
    const bearer = await token({ sub: "auth0|native", client: "native-client" });
    const res = await limitedWorker.fetch(new Request(RESOURCE, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${bearer}` },
      body: JSON.stringify(call("echo")),
    }), { ...(env as object), RATE_LIMITER } as never);
    expect(keys).toEqual(["test-limited|req|sub|auth0|native"]);
    expect(res.status).toBe(200);
    await res.text();
    const limited = await limitedWorker.fetch(new Request(RESOURCE, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${bearer}` },
      body: JSON.stringify(call("echo")),
    }), { ...(env as object), RATE_LIMITER } as never);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
  });
});

describe("audit log", () => {
  it("writes one line per MCP request and per tool call, with who, what and the outcome — never the token or arguments", async () => {
    const sub = unique("auth0|audited");
    const bearer = await token({ sub, client: "audit-client", scopes: ["tools.read"] });
    const res = await post("stateless", { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "echo", arguments: { text: "top secret argument" } } }, { authorization: `Bearer ${bearer}` });
    await res.text();
    const denied = await post("stateless", call("bump"), { authorization: `Bearer ${bearer}` });
    await denied.text();
    const mine = auditLog.events.filter((e) => e.type !== "backend_status" && e.subject === sub) as Array<Exclude<AuditEvent, { type: "backend_status" }>>;
    expect(mine.map((e) => [e.type, e.outcome])).toEqual([
      ["tool_call", "ok"],
      ["mcp_request", "ok"],
      ["mcp_request", "denied"],
    ]);
    expect(mine[0]).toMatchObject({ type: "tool_call", server: "test-stateless", tool: "echo", clientId: "audit-client", scopes: ["tools.read"] });
    expect(mine[1]).toMatchObject({ type: "mcp_request", httpMethod: "POST", methods: ["tools/call"], tools: ["echo"], status: 200 });
    expect(mine[2]).toMatchObject({ tools: ["bump"], status: 403 });
    const text = JSON.stringify(mine);
    expect(text).not.toContain(bearer.split(".")[2]);
    expect(text).not.toContain("top secret argument");
  });

  it("bounds client-chosen method and tool names in audit lines to 128 characters (issue 13 §11)", async () => {
    const sub = unique("auth0|long-names");
    const bearer = await token({ sub });
    const res = await post("stateless", [{ jsonrpc: "2.0", id: 1, method: "m".repeat(10_000) }, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "t".repeat(10_000), arguments: {} } }], { authorization: `Bearer ${bearer}` });
    await res.text();
    const line = auditLog.events.find((e) => e.type === "mcp_request" && e.subject === sub) as unknown as { methods: string[]; tools: string[] };
    expect(line.methods.map((m) => m.length)).toEqual([128, 10]);
    expect(line.tools.map((t) => t.length)).toEqual([128]);
  });

  it("records a request without credentials as denied with no subject", async () => {
    const before = auditLog.events.length;
    await post("stateless", INITIALIZE);
    const line = auditLog.events.slice(before).find((e) => e.type === "mcp_request");
    expect(line).toMatchObject({ outcome: "denied", status: 401, subject: null, clientId: null });
  });

  it("hashes the session id instead of logging it", async () => {
    const bearer = await token({ sub: unique("auth0|session") });
    const res = await post("stateful", INITIALIZE, { authorization: `Bearer ${bearer}` });
    const sessionId = res.headers.get("mcp-session-id")!;
    await res.body?.cancel();
    const line = auditLog.events.at(-1)! as Exclude<AuditEvent, { type: "backend_status" }>;
    expect(line.sessionIdHash).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(auditLog.events)).not.toContain(sessionId);
  });
});
