/**
 * The floor of any gateway, measured by bench/gateway.ts: a forwarder that only hops. It relays a
 * 2026-07-28 `tools/call` to the backend's `McpBackend` entrypoint over a service binding the way
 * the gateway does (body read, tool renamed, credentials dropped, a caller attached, the
 * backend's answer streamed back) and checks nothing: no token, no JSON-RPC, no rules, no scopes,
 * no rate limits, no audit line. Never deployed — it would let anyone call the backend as "bench".
 */
import { BACKEND_CALLER_HEADER, backendCallerHeader } from "@edge-mcp/server";

const CALLER = Object.freeze({ subject: "auth0|bench", clientId: "bench", scopes: Object.freeze(["tools.read", "tools.write"]) });

interface Env {
  readonly B1: { fetch(request: Request): Promise<Response> };
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const body = await request.text();
    const headers = new Headers(request.headers);
    headers.delete("authorization");
    headers.set("mcp-name", "echo");
    headers.set(BACKEND_CALLER_HEADER, backendCallerHeader(CALLER));
    const response = await env.B1.fetch(new Request(request.url, { method: "POST", headers, body: body.replace('"b1__echo"', '"echo"') }));
    return new Response(response.body, { status: response.status, headers: { "content-type": response.headers.get("content-type") ?? "application/json" } });
  },
};
