import { WorkerEntrypoint } from "cloudflare:workers";
import { parseCaller, type CallerIdentity } from "./caller.ts";
import { EVENT_BUS_BINDING } from "./event-bus.ts";

/** What the backend entrypoint hands its calls to: the worker's own MCP pipeline. */
export interface BackendHandlers<Env> {
  /** Serves an MCP request for a caller already verified by the calling worker. */
  serve(request: Request, env: Env, caller: CallerIdentity): Promise<Response>;
}

/** The RPC surface an edge-mcp gateway calls through a service binding. */
export interface McpBackendRpc {
  serve(request: Request, caller: CallerIdentity): Promise<Response>;
  events(): Promise<Response>;
}

/**
 * The worker's named RPC entrypoint for an edge-mcp gateway (`[[services]] entrypoint =
 * "McpBackend"`). A named entrypoint is reachable only through a service binding in the same
 * account, never from the internet; the gateway passes the caller it verified (sub, client, and
 * scopes narrowed by its rules) instead of the user's token, which never leaves the gateway (MCP
 * security best practices: no token passthrough). The request then takes the same path as a
 * direct one from the protocol version on: per-tool scopes, rate limits, per-user data, audit.
 */
export function createBackendEntrypoint<Env>(handlers: BackendHandlers<Env>) {
  return class McpBackend extends WorkerEntrypoint<Env> implements McpBackendRpc {
    async serve(request: Request, caller: CallerIdentity): Promise<Response> {
      const verified = parseCaller(caller);
      if (verified === undefined) throw new TypeError("McpBackend.serve: caller must be { subject, clientId, scopes }.");
      if (!(request instanceof Request)) throw new TypeError("McpBackend.serve: request must be a Request.");
      return handlers.serve(request, this.env, verified);
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
