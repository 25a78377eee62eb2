import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createMcpWorker, OPERATOR_SCOPE } from "../src/index.ts";
import { INITIALIZE, post, send } from "./helpers/mcp.ts";
import { ISSUER, RESOURCE, token } from "./helpers/tokens.ts";

const ORIGIN = "https://test-mcp.example.test";

describe("Protected Resource Metadata (RFC 9728)", () => {
  it.each(["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"])(
    "serves the metadata at %s, readable cross-origin",
    async (path) => {
      const res = await send("stateful", new Request(`${ORIGIN}${path}`, { headers: { origin: "https://anywhere.example" } }));
      expect(res.status).toBe(200);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(await res.json()).toEqual({
        resource: RESOURCE,
        authorization_servers: [ISSUER],
        scopes_supported: ["resources.read", "prompts.read", "tools.read", "tools.write"],
        bearer_methods_supported: ["header"],
        resource_name: "test-stateful",
      });
    },
  );

  it("has no metadata for another path", async () => {
    expect((await send("stateful", new Request(`${ORIGIN}/.well-known/oauth-protected-resource/other`))).status).toBe(404);
  });
});

describe("/health and unknown routes", () => {
  it("reports name, version, transport and a reachable JWKS without auth", async () => {
    const res = await send("stateful", new Request(`${ORIGIN}/health`));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "ok",
      name: "test-stateful",
      version: "1.0.0",
      transport: "stateful",
      auth: { disabled: false, issuer: ISSUER, jwks: { state: "fresh", keyCount: expect.any(Number), ageSeconds: expect.any(Number) }, authorizationServerReachable: true },
    });
    // At least the signing key (a key-rotation test elsewhere in the run may have added its next one).
    expect(((await (await send("stateful", new Request(`${ORIGIN}/health`))).json()) as { auth: { jwks: { keyCount: number } } }).auth.jwks.keyCount).toBeGreaterThanOrEqual(1);
  });

  it("adds healthDetail only for a token with the operator scope: anonymous callers get the overall report, other tokens 403", async () => {
    const worker = createMcpWorker({ name: "ops", version: "1", transport: "stateless", setup: () => {}, healthDetail: () => ({ backends: { secret: "detail" } }) });
    const health = (bearer?: string) => worker.fetch(new Request(`${ORIGIN}/health`, bearer === undefined ? {} : { headers: { authorization: `Bearer ${bearer}` } }), env as never);
    const anonymous = await health();
    expect(anonymous.status).toBe(200);
    expect(JSON.stringify(await anonymous.json())).not.toContain("detail");
    const operator = await health(await token({ scopes: [OPERATOR_SCOPE] }));
    expect(await operator.json()).toMatchObject({ status: "ok", backends: { secret: "detail" } });
    const reader = await health(await token({ scopes: ["tools.read"] }));
    expect(reader.status).toBe(403);
    expect(reader.headers.get("www-authenticate")).toContain(`scope="${OPERATOR_SCOPE}"`);
  });

  it("answers 503 when the authorization server's keys cannot be had", async () => {
    const worker = createMcpWorker({ name: "h", version: "1", transport: "stateless", setup: () => {} });
    const res = await worker.fetch(new Request(`${ORIGIN}/health`), { ...env, AUTH_JWKS_URI: "http://127.0.0.1:9/.well-known/jwks.json" } as never);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: "unavailable", auth: { jwks: { keyCount: 0 }, authorizationServerReachable: false } });
  });

  it("answers an unknown route with a JSON 404", async () => {
    const res = await send("stateful", new Request(`${ORIGIN}/admin`));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/json");
  });
});

describe("Origin and Host (DNS-rebinding defence)", () => {
  it("rejects a request from an origin that is not allowed with 403, before authentication", async () => {
    const res = await post("stateful", INITIALIZE, { origin: "https://evil.example", authorization: `Bearer ${await token()}` });
    expect(res.status).toBe(403);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("rejects the string 'null' as an origin", async () => {
    expect((await post("stateful", INITIALIZE, { origin: "null" })).status).toBe(403);
  });

  it("rejects a Host other than the resource's with 403", async () => {
    const res = await send("stateful", new Request("https://attacker.example/mcp", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await token()}` },
      body: JSON.stringify(INITIALIZE),
    }));
    expect(res.status).toBe(403);
  });

  it("adds CORS headers exposing WWW-Authenticate and Mcp-Session-Id for an allowed origin, errors included", async () => {
    const res = await post("stateful", INITIALIZE, { origin: "https://app.example.test" });
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example.test");
    expect(res.headers.get("access-control-expose-headers")).toContain("WWW-Authenticate");
    expect(res.headers.get("access-control-expose-headers")).toContain("Mcp-Session-Id");
    expect(res.headers.get("vary")).toContain("Origin");
  });

  it("adds CORS headers to a streamed answer from the session object (initialize from an allowed origin)", async () => {
    const res = await post("stateful", INITIALIZE, { origin: "https://app.example.test", authorization: `Bearer ${await token()}` });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example.test");
    expect(res.headers.get("mcp-session-id")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await res.body?.cancel();
  });

  it("accepts its own origin (same-origin browser clients)", async () => {
    const res = await post("stateless", INITIALIZE, { origin: "https://test-mcp.example.test", authorization: `Bearer ${await token()}` });
    expect(res.status).toBe(200);
    await res.body?.cancel();
  });

  it("answers a CORS preflight from an allowed origin with 204 and the allowed headers", async () => {
    const res = await send("stateful", new Request(RESOURCE, {
      method: "OPTIONS",
      headers: { origin: "https://app.example.test", "access-control-request-method": "POST" },
    }));
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-headers")).toContain("Authorization");
    expect(res.headers.get("access-control-allow-headers")).toContain("Mcp-Session-Id");
  });

  it("allows MCP 2026-07-28's Mcp-Method and Mcp-Name, and the Mcp-Param-* headers a preflight asks for (Streamable HTTP §Standard headers, §Schema Extension)", async () => {
    const res = await send("stateful", new Request(RESOURCE, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.test",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type,mcp-method,mcp-name,mcp-param-region,mcp-param-priority,x-not-mcp",
      },
    }));
    expect(res.status).toBe(204);
    const allowed = res.headers.get("access-control-allow-headers")!.toLowerCase().split(", ");
    expect(allowed).toEqual(expect.arrayContaining(["mcp-method", "mcp-name", "mcp-protocol-version", "mcp-param-region", "mcp-param-priority"]));
    expect(allowed).not.toContain("x-not-mcp");
    expect(res.headers.get("vary")).toContain("Access-Control-Request-Headers");
  });

  it("echoes at most 32 Mcp-Param-* headers, and none that is not an RFC 9110 token", async () => {
    const asked = [...Array.from({ length: 40 }, (_, i) => `mcp-param-p${i}`), "mcp-param-a b", "mcp-param-"].join(",");
    const res = await send("stateful", new Request(RESOURCE, {
      method: "OPTIONS",
      headers: { origin: "https://app.example.test", "access-control-request-method": "POST", "access-control-request-headers": asked },
    }));
    const params = res.headers.get("access-control-allow-headers")!.split(", ").filter((h) => h.startsWith("mcp-param-"));
    expect(params).toHaveLength(32);
    expect(params).not.toContain("mcp-param-");
  });

  it("refuses a CORS preflight from another origin", async () => {
    const res = await send("stateful", new Request(RESOURCE, { method: "OPTIONS", headers: { origin: "https://evil.example" } }));
    expect(res.status).toBe(403);
  });
});

describe("configuration from Worker env vars", () => {
  const worker = createMcpWorker({ name: "cfg", version: "1", transport: "stateless", setup: () => {} });
  const call = (vars: Record<string, string | undefined>) =>
    worker.fetch(new Request(`${ORIGIN}/health`), { ...env, ...vars } as never);

  it.each([
    ["MCP_RESOURCE", { MCP_RESOURCE: undefined }],
    ["MCP_RESOURCE", { MCP_RESOURCE: "http://notes-mcp.example.com/mcp" }],
    ["AUTH_ISSUER", { AUTH_ISSUER: undefined }],
    ["AUTH_AUDIENCES", { AUTH_AUDIENCES: "" }],
    ["SESSION_IDLE_TIMEOUT_S", { SESSION_IDLE_TIMEOUT_S: "soon" }],
    ["SSE_KEEPALIVE_S", { SSE_KEEPALIVE_S: "0" }],
    ["SSE_KEEPALIVE_S", { SSE_KEEPALIVE_S: "301" }],
    ["AUTH_FACADE_CACHE_S", { AUTH_MODE: "facade", AUTH_FACADE_CACHE_S: "301" }],
    ["AUTH_DISABLED", { AUTH_DISABLED: "true", ENVIRONMENT: "production" }],
  ])("answers 500 naming %s when it is missing or bad", async (name, vars) => {
    const res = await call(vars);
    expect(res.status).toBe(500);
    expect(JSON.stringify(await res.json())).toContain(name);
  });

  it("runs without auth when AUTH_DISABLED=true outside production", async () => {
    const open = createMcpWorker({
      name: "open",
      version: "1",
      transport: "stateless",
      setup: (mcp) => {
        mcp.tool("who", {}, (extra) => ({ content: [{ type: "text", text: extra.auth.subject }] }));
      },
    });
    const vars = { ...env, AUTH_DISABLED: "true", ENVIRONMENT: "development" } as never;
    const res = await open.fetch(new Request(RESOURCE, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "who", arguments: {} } }),
    }), vars);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("auth-disabled");
  });
});

describe("response modes (Streamable HTTP allows either)", () => {
  it("streams SSE by default and answers one JSON body with responseMode: json", async () => {
    const json = createMcpWorker({
      name: "json",
      version: "1",
      transport: "stateless",
      responseMode: "json",
      setup: (mcp) => {
        mcp.tool("ping_tool", {}, () => ({ content: [{ type: "text", text: "pong" }] }));
      },
    });
    const request = async () =>
      new Request(RESOURCE, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${await token()}` },
        body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "ping_tool", arguments: {} } }),
      });
    const res = await json.fetch(await request(), env as never);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toMatchObject({ jsonrpc: "2.0", id: 7, result: { content: [{ type: "text", text: "pong" }] } });
    const sse = await send("stateless", await request());
    expect(sse.headers.get("content-type")).toBe("text/event-stream");
    await sse.body?.cancel();
  });
});

describe("createMcpWorker options", () => {
  it.each([
    ["name", { name: "" }],
    ["transport", { transport: "sse" }],
    ["setup", { setup: "nope" }],
    ["scopes.0", { scopes: ["a b"] }],
  ])("throws a TypeError naming %s", (name, patch) => {
    const options = { name: "x", version: "1", transport: "stateless", setup: () => {}, ...patch };
    expect(() => createMcpWorker(options as never)).toThrow(new RegExp(`option "${name.replace(".", "\\.")}"`));
  });

  it("throws when a tool declares an invalid scope", async () => {
    const bad = createMcpWorker({ name: "x", version: "1", transport: "stateless", setup: (mcp) => void mcp.tool("t", { scopes: ["has space"] }, () => ({ content: [] })) });
    const res = await bad.fetch(new Request(RESOURCE, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${await token()}` },
      body: JSON.stringify(INITIALIZE),
    }), env as never);
    expect(res.status).toBe(500);
  });
});
