import { BACKEND_ENTRYPOINT, defaultBinding, type GatewayConfig } from "@edge-mcp/config";
import { apisForCaller, BACKEND_CALLER_HEADER, backendCallerHeader, type CallerIdentity, type McpBackendRpc } from "@edge-mcp/server";
import { legacyRemoteSender } from "./legacy-remote.ts";

/** The revision fleet servers and modern remotes are spoken to in. */
const MODERN_REVISION = "2026-07-28";

/**
 * The gateway's budget of calls to one backend is kept per user (gateway.json `rateLimit`: calls
 * per window per user): one user spending it must not lock every other user out of that backend.
 */
export function backendBudgetKey(backend: string, subject: string): string {
  return `gateway-backend|${backend}|${subject}`;
}

/** One backend as the gateway reaches it: sends an MCP request on behalf of a caller. */
export interface BackendTarget {
  readonly name: string;
  readonly kind: "service" | "remote";
  /** The protocol the gateway speaks to it: 2026-07-28 ("modern"), or a 2025 session ("legacy", remote only). */
  readonly era?: "modern" | "legacy";
  /** Reached as each user (gateway.json `asUser`): every request, listings included, as its caller. */
  readonly perUser?: boolean;
  /** The gateway's budget of calls to this backend, per user (`backendBudgetKey`). */
  readonly rateLimit?: { readonly requests: number; readonly windowSeconds: number };
  /**
   * Sends a 2026-07-28 request. Fleet servers get the verified caller over RPC; remote ones the
   * gateway's credential. The request must be one the gateway built for this send (its headers
   * are changed in place), never the client's.
   */
  send(request: Request, caller: CallerIdentity): Promise<Response>;
  /** The backend's list changes (newline-delimited JSON envelopes), or undefined when it offers none. */
  events?(): Promise<Response>;
}

/**
 * The gateway's backends for one env (bindings and secrets). A missing binding or secret is a
 * deployment mistake: the backend is reported down with that reason instead of failing every request.
 */
export function backendTargets(config: GatewayConfig, env: Record<string, unknown>, fetchImpl: typeof fetch = (input, init) => fetch(input, init)): Map<string, BackendTarget | { readonly name: string; readonly misconfigured: string }> {
  const targets = new Map<string, BackendTarget | { name: string; misconfigured: string }>();
  for (const [name, backend] of Object.entries(config.backends)) {
    if ("service" in backend) {
      const binding = backend.binding ?? defaultBinding(name);
      const rpc = env[binding] as McpBackendRpc | undefined;
      if (rpc === undefined || typeof (rpc as { fetch?: unknown }).fetch !== "function") {
        targets.set(name, { name, misconfigured: `no service binding ${binding} (to ${backend.service}, entrypoint ${BACKEND_ENTRYPOINT}): deploy with the wrangler.toml npm run provision -- routes renders from gateway.json` });
        continue;
      }
      targets.set(name, {
        name,
        kind: "service",
        ...(backend.rateLimit === undefined ? {} : { rateLimit: backend.rateLimit }),
        send: (request, caller) => {
          // The request is the gateway's own (BackendTarget.send): changed in place, not copied.
          // The caller the gateway verified goes along; the user's token does not.
          request.headers.delete("authorization");
          request.headers.set(BACKEND_CALLER_HEADER, backendCallerHeader(caller));
          return rpc.fetch(request);
        },
        events: () => rpc.events(),
      });
    } else {
      const secret = backend.credentialSecret === undefined ? undefined : env[backend.credentialSecret];
      if (backend.credentialSecret !== undefined && typeof secret !== "string") {
        targets.set(name, { name, misconfigured: `secret ${backend.credentialSecret} is not set: wrangler secret put ${backend.credentialSecret}` });
        continue;
      }
      const url = backend.url;
      const asUser = backend.asUser;
      // The gateway's own credential for this backend, or (asUser) a token exchanged for it on the
      // caller's behalf (RFC 8693): the user's own token never leaves the gateway.
      const post = async (request: Request, caller?: CallerIdentity) => {
        const forwarded = new Request(url, request);
        forwarded.headers.delete("authorization");
        forwarded.headers.delete(BACKEND_CALLER_HEADER);
        const bearer = asUser === undefined || caller === undefined ? secret : (await apisForCaller(env, caller).token(asUser)).accessToken;
        if (typeof bearer === "string") forwarded.headers.set("authorization", `Bearer ${bearer}`);
        return fetchImpl(forwarded);
      };
      const modern = backend.protocol === MODERN_REVISION;
      const legacy = modern ? undefined : legacyRemoteSender(backend.protocol, (request) => post(request));
      targets.set(name, {
        name,
        kind: "remote",
        era: modern ? "modern" : "legacy",
        ...(asUser === undefined ? {} : { perUser: true }),
        ...(backend.rateLimit === undefined ? {} : { rateLimit: backend.rateLimit }),
        send: (request, caller) => (legacy === undefined ? post(request, caller) : legacy(new Request(url, request))),
      });
    }
  }
  return targets;
}
