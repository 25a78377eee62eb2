import { WorkerEntrypoint } from "cloudflare:workers";
import { CALLER_HEADER, checkCaller, decodeCaller, type CallerIdentity } from "./caller.ts";
import { EVENT_BUS_BINDING } from "./event-bus.ts";

/** What the backend entrypoint hands its calls to: the worker's own MCP pipeline. */
export interface BackendHandlers<Env> {
  /** Serves an MCP request for a caller already verified by the calling worker. */
  serve(request: Request, env: Env, caller: CallerIdentity): Promise<Response>;
}

/** One MCP request for a caller the gateway verified, as plain data (`McpBackendRpc.call`). */
export interface BackendCall {
  /** The JSON-RPC body. */
  readonly body: string;
  /** The request's headers (MCP-Protocol-Version, Mcp-Method, Mcp-Name, Accept, …); credentials are dropped. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly caller: CallerIdentity;
}

/** The backend's answer as plain data: a JSON body as a string, an SSE answer as its stream. */
export interface BackendAnswer {
  readonly status: number;
  readonly headers: Array<[string, string]>;
  readonly body: string | ReadableStream<Uint8Array> | null;
}

/** What an edge-mcp gateway calls through a service binding to the `McpBackend` entrypoint. */
export interface McpBackendRpc {
  /** An MCP request, the verified caller in the `x-edge-mcp-caller` header (JSON: subject, clientId, scopes). */
  fetch(request: Request): Promise<Response>;
  /** The same, as plain data: what the gateway uses (cheaper over the binding than a Request; see `call`). */
  call(call: BackendCall): Promise<BackendAnswer>;
  events(): Promise<Response>;
}

/** Where a gateway's call is addressed inside the backend: only the path matters (it is the MCP endpoint's). */
const BACKEND_URL = "https://backend.internal/mcp";

/** The header that carries the caller a gateway verified (the same one the session object gets). */
export const BACKEND_CALLER_HEADER = CALLER_HEADER;

/**
 * The worker's named RPC entrypoint for an edge-mcp gateway (`[[services]] entrypoint =
 * "McpBackend"`). A named entrypoint is reachable only through a service binding in the same
 * account, never from the internet; the gateway passes the caller it verified (sub, client, and
 * scopes narrowed by its rules) in `x-edge-mcp-caller` instead of the user's token, which never
 * leaves the gateway (MCP security best practices: no token passthrough). The request then takes
 * the same path as a direct one from the protocol version on: per-tool scopes, rate limits,
 * per-user data, audit. (`fetch` rather than an RPC method taking the Request: measured in
 * bench/gateway.ts, workerd's RPC serialization of a Request costs about twice the fetch path.)
 */
export function createBackendEntrypoint<Env>(handlers: BackendHandlers<Env>) {
  return class McpBackend extends WorkerEntrypoint<Env> implements McpBackendRpc {
    override async fetch(request: Request): Promise<Response> {
      const caller = decodeCaller(request.headers.get(CALLER_HEADER));
      if (caller === undefined) {
        return Response.json({ jsonrpc: "2.0", id: null, error: { code: -32600, message: `McpBackend: the ${CALLER_HEADER} header (the verified caller) is missing or malformed.` } }, { status: 400 });
      }
      return handlers.serve(request, this.env, caller);
    }

    /**
     * The same request as plain data. A JSON answer comes back as one string and an SSE answer
     * (progress, MRTR) as its stream, which the gateway relays as it comes; cancelling that
     * stream ends the request here. Measured in bench/gateway.ts against `fetch`.
     */
    async call(call: BackendCall): Promise<BackendAnswer> {
      const caller = checkCaller(call?.caller);
      if (caller === undefined || typeof call.body !== "string" || !Array.isArray(call.headers)) {
        return { status: 400, headers: [["content-type", "application/json"]], body: JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "McpBackend.call: a body, headers and the verified caller are required." } }) };
      }
      const headers = new Headers(call.headers as Array<[string, string]>);
      headers.delete("authorization");
      headers.delete(CALLER_HEADER);
      const response = await handlers.serve(new Request(BACKEND_URL, { method: "POST", headers, body: call.body }), this.env, caller);
      const streamed = (response.headers.get("content-type") ?? "").startsWith("text/event-stream");
      return { status: response.status, headers: [...response.headers], body: streamed ? response.body : await response.text() };
    }

    /**
     * This server's list changes as newline-delimited JSON event envelopes, for as long as the
     * caller reads: the gateway relays them to its own `subscriptions/listen` streams and drops
     * its cached lists. 404 when the worker binds no event bus (it announces no changes).
     */
    async events(): Promise<Response> {
      const namespace = (this.env as Record<string, unknown>)[EVENT_BUS_BINDING] as DurableObjectNamespace | undefined;
      if (namespace === undefined) return new Response(null, { status: 404 });
      return namespace.get(namespace.idFromName("events")).fetch("https://events.internal/subscribe");
    }
  };
}
