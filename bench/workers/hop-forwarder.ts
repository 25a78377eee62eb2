/**
 * The floor of any gateway, measured by bench/gateway.ts: a forwarder that only hops. It relays a
 * 2026-07-28 `tools/call` to the backend's `McpBackend` entrypoint over a service binding the way
 * the gateway does (body read, tool renamed, credentials dropped, a caller attached, the
 * backend's answer streamed back) and checks nothing: no token, no JSON-RPC, no rules, no scopes,
 * no rate limits, no audit line. Never deployed — it would let anyone call the backend as "bench".
 *
 * `HOP_TRANSPORT` picks how the request crosses the binding (bench/hop-transports.ts compares
 * them): `fetch` (the default, what the gateway does: the client's headers less its credentials),
 * `fetch-mcp-headers` (the same with only the headers MCP needs), `rpc-data` (a JS RPC method
 * taking the body and headers as plain data) or `rpc-request` (a JS RPC method taking the
 * `Request`); the two RPC ways need bench/workers/hop-backend.ts's `McpBackendTransports` behind
 * the binding.
 */
import { BACKEND_CALLER_HEADER, backendCallerHeader } from "@edge-mcp/server";
import type { PlainAnswer, PlainRequest } from "./hop-backend.ts";

/** The headers a 2026-07-28 request needs at the backend (the caller's is added). */
const MCP_HEADERS = ["content-type", "accept", "mcp-protocol-version", "mcp-method"];

const CALLER = Object.freeze({ subject: "auth0|bench", clientId: "bench", scopes: Object.freeze(["tools.read", "tools.write"]) });

interface Env {
  readonly HOP_TRANSPORT?: string;
  readonly B1: {
    fetch(request: Request): Promise<Response>;
    call?(request: PlainRequest): Promise<PlainAnswer>;
    relay?(request: Request): Promise<Response>;
  };
}

function answer(body: BodyInit | null, status: number, contentType: string | null): Response {
  return new Response(body, { status, headers: { "content-type": contentType ?? "application/json" } });
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const body = (await request.text()).replace('"b1__echo"', '"echo"');
    const transport = env.HOP_TRANSPORT ?? "fetch";
    const headers = transport === "fetch-mcp-headers" ? new Headers(MCP_HEADERS.map((name) => [name, request.headers.get(name) ?? ""])) : new Headers(request.headers);
    headers.delete("authorization");
    headers.set("mcp-name", "echo");
    headers.set(BACKEND_CALLER_HEADER, backendCallerHeader(CALLER));
    if (transport === "rpc-data") {
      const answered = await env.B1.call!({ body, headers: [...headers] });
      return answer(answered.body, answered.status, answered.contentType);
    }
    const forwarded = new Request(request.url, { method: "POST", headers, body });
    const response = transport === "rpc-request" ? await env.B1.relay!(forwarded) : await env.B1.fetch(forwarded);
    return answer(response.body, response.status, response.headers.get("content-type"));
  },
};
