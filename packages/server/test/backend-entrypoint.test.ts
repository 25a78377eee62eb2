import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { auditLog, statelessWorker } from "./fixtures/test-worker.ts";
import { RESOURCE, token } from "./helpers/tokens.ts";

/**
 * The McpBackend entrypoint: what an edge-mcp gateway calls through a service binding. It is a
 * named entrypoint (never reachable from the internet), so the caller a gateway verified arrives
 * in a header instead of a token; everything after that is the normal path.
 */
const META = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };
function call(name: string, headers: Record<string, string>, args: Record<string, unknown> = {}) {
  return exports.McpBackend.fetch(new Request("https://backend.internal/mcp", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": name, ...headers },
    body: JSON.stringify({ jsonrpc: "2.0", id: 5, method: "tools/call", params: { name, arguments: args, _meta: META } }),
  }));
}
const caller = (scopes: string[]) => ({ "x-edge-mcp-caller": JSON.stringify({ subject: "auth0|via-gateway", clientId: "claude", scopes }) });
const lastMessage = async (res: Response) => {
  const text = await res.text();
  return JSON.parse(res.headers.get("content-type")?.startsWith("text/event-stream") ? text.split("\n").filter((l) => l.startsWith("data:")).at(-1)!.slice(5) : text);
};

describe("McpBackend entrypoint (service bindings from a gateway)", () => {
  it("reports the server's health over RPC, as /health does, for the operator console", async () => {
    const report = (await (exports.McpBackend as unknown as { health(): Promise<Record<string, unknown>> }).health());
    const http = (await (await statelessWorker.fetch(new Request("https://test-mcp.example.test/health"), env as never)).json()) as Record<string, unknown>;
    expect(report).toMatchObject({ name: "test-stateless", transport: "stateless", status: http.status });
    expect(report.auth).toMatchObject({ mode: "auth0", issuer: "https://tenant.example-auth.test/" });
  });

  it("serves the caller in the header, with no token, and audits the request as via the gateway", async () => {
    const res = await call("whoami", caller(["tools.read"]));
    expect(res.status).toBe(200);
    const seen = JSON.parse((await lastMessage(res)).result.content[0].text) as { auth: unknown; headers: Record<string, string> };
    expect(seen.auth).toEqual({ subject: "auth0|via-gateway", clientId: "claude", scopes: ["tools.read"] });
    // The tool never sees the transport header the caller came in.
    expect(Object.keys(seen.headers)).not.toContain("x-edge-mcp-caller");
    expect(auditLog.events.filter((e) => e.type === "mcp_request").at(-1)).toMatchObject({ subject: "auth0|via-gateway", clientId: "claude", via: "gateway", era: "modern" });
  });

  it("refuses a request without a well-formed caller (400), before anything runs", async () => {
    for (const headers of [{}, { "x-edge-mcp-caller": "{" }, { "x-edge-mcp-caller": JSON.stringify({ subject: "", clientId: "c", scopes: [] }) }, { authorization: "Bearer anything" }] as Array<Record<string, string>>) {
      const res = await call("whoami", headers);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: -32600 } });
    }
  });

  it("ignores the caller header on the public endpoint: the token decides who calls", async () => {
    const res = await statelessWorker.fetch(new Request(RESOURCE, {
      method: "POST",
      headers: { authorization: `Bearer ${await token({ sub: "auth0|alice" })}`, "x-edge-mcp-caller": JSON.stringify({ subject: "auth0|admin", clientId: "x", scopes: ["tools.write"] }), "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "whoami" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 6, method: "tools/call", params: { name: "whoami", arguments: {}, _meta: META } }),
    }), env as never);
    const seen = JSON.parse((await lastMessage(res)).result.content[0].text) as { auth: { subject: string }; headers: Record<string, string> };
    expect(seen.auth.subject).toBe("auth0|alice");
    expect(Object.keys(seen.headers)).not.toContain("x-edge-mcp-caller");
  });

  it("applies the backend's own per-tool scopes to the caller it is given (403 step-up)", async () => {
    const res = await call("bump", caller(["tools.read"]));
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toContain('scope="tools.write"');
  });
});
