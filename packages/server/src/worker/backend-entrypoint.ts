import { WorkerEntrypoint } from "cloudflare:workers";
import { CALLER_HEADER, decodeCaller, encodeCaller, type CallerIdentity } from "../base/caller.ts";
import { EVENT_BUS_BINDING } from "../events/event-bus.ts";
import { inRequest } from "../base/request-context.ts";

/** What the backend entrypoint hands its calls to: the worker's own MCP pipeline. */
export interface BackendHandlers<Env> {
  /** Serves an MCP request for a caller already verified by the calling worker. */
  serve(request: Request, env: Env, caller: CallerIdentity): Promise<Response>;
  /** The health report with the operator's detail (what `/health` shows a `fleet.read` token). */
  health(env: Env): Promise<Record<string, unknown>>;
}

/** What an edge-mcp gateway calls through a service binding to the `McpBackend` entrypoint. */
export interface McpBackendRpc {
  /** An MCP request, the verified caller in the `x-edge-mcp-caller` header (JSON: subject, clientId, scopes). */
  fetch(request: Request): Promise<Response>;
  events(): Promise<Response>;
  /**
   * The server's health with its operator detail (a gateway's backends, the rules in force): for
   * the operator console, which reaches every server through a service binding — a caller inside
   * the account, as the gateway is — instead of holding a token for each server's audience.
   */
  health(): Promise<Record<string, unknown>>;
}

/** The header that carries the caller a gateway verified (the same one the session object gets). */
export const BACKEND_CALLER_HEADER = CALLER_HEADER;

/** The `BACKEND_CALLER_HEADER` value for a caller: subject, client and scopes — never token claims — as an ASCII header value. */
export function backendCallerHeader(caller: CallerIdentity): string {
  return encodeCaller(caller);
}

/**
 * The worker's named RPC entrypoint for an edge-mcp gateway (`[[services]] entrypoint =
 * "McpBackend"`). A named entrypoint is reachable only through a service binding in the same
 * account, never from the internet; the gateway passes the caller it verified (sub, client, and
 * scopes narrowed by its rules) in `x-edge-mcp-caller` instead of the user's token, which never
 * leaves the gateway (MCP security best practices: no token passthrough). The request then takes
 * the same path as a direct one from the protocol version on: per-tool scopes, rate limits,
 * per-user data, audit. (`fetch` rather than a JS RPC method: bench/hop-transports.ts measures a
 * forwarder's throughput with an RPC method taking the Request at ~0.86 of `fetch`'s, and with
 * one taking the body and headers as plain data at ~0.94.)
 */
export function createBackendEntrypoint<Env>(handlers: BackendHandlers<Env>) {
  return class McpBackend extends WorkerEntrypoint<Env> implements McpBackendRpc {
    override async fetch(request: Request): Promise<Response> {
      const caller = decodeCaller(request.headers.get(CALLER_HEADER));
      if (caller === undefined) {
        return Response.json({ jsonrpc: "2.0", id: null, error: { code: -32600, message: `McpBackend: the ${CALLER_HEADER} header (the verified caller) is missing or malformed.` } }, { status: 400 });
      }
      return inRequest(this.ctx, () => handlers.serve(request, this.env, caller));
    }

    async health(): Promise<Record<string, unknown>> {
      return inRequest(this.ctx, () => handlers.health(this.env));
    }

    /**
     * This server's list changes as newline-delimited JSON event envelopes, for as long as the
     * caller reads: the gateway relays them to its own `subscriptions/listen` streams and drops
     * its cached lists. 404 when the worker binds no event bus (it announces no changes).
     */
    async events(): Promise<Response> {
      const namespace = (this.env as Record<string, unknown>)[EVENT_BUS_BINDING] as DurableObjectNamespace | undefined;
      if (namespace === undefined) return new Response(null, { status: 404 });
      const feed = await namespace.get(namespace.idFromName("events")).fetch("https://events.internal/subscribe");
      if (feed.body === null) return feed;
      // Relayed through a pipe of our own: when the gateway stops reading (its listener left), the
      // broken pipe is this request's to handle — returned as it is, workerd's own pump from the
      // bus object failed later as an uncaught "Network connection lost" in the console.
      const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
      void feed.body.pipeTo(writable).catch(() => undefined);
      return new Response(readable, { status: feed.status, headers: feed.headers });
    }
  };
}
