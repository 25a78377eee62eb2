import type { JSONRPCRequest } from "@modelcontextprotocol/server";
import type { ServerIdentity } from "../mcp/build-server.ts";
import { claimsOf, type CallerIdentity } from "../base/caller.ts";
import { checkBeforeDispatch } from "../policy/dispatch-checks.ts";
import type { RequestObservation } from "../policy/request-audit.ts";

/**
 * A 2026-07-28 request offered to the worker's `intercept` option before the SDK sees it: after
 * the token, the protocol version, the body limit and JSON-RPC parsing — never before.
 */
export interface InterceptedRequest<Env> {
  readonly env: Env;
  /** The verified caller. */
  readonly caller: CallerIdentity;
  /** The verified token's claims (absent with auth disabled). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** The one JSON-RPC request of the body (2026-07-28 has no batches). */
  readonly message: JSONRPCRequest;
  /** The request, its body already read and bounded, its credentials removed (built when first read). */
  readonly request: Request;
  /** The request's URL. */
  readonly url: string;
  /** The request's headers without credentials: a copy the interceptor owns (and may change). */
  readonly headers: Headers;
  /** The body, already read and bounded. */
  readonly body: string;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
  /**
   * Must be awaited before the request is answered: the scopes this request needs (403 step-up
   * when the caller lacks one) and the caller's rate limits (429) — what the SDK path checks.
   */
  authorize(scopes: readonly string[]): Promise<void>;
  /**
   * Names the backend this request was relayed to in the request's audit line (`failed`: the
   * backend could not answer), which then stands for the call: no separate tool line is needed.
   */
  relayedTo(backend: string, failed: boolean): void;
  /**
   * Marks the request refused by the interceptor's own rules (a gateway offering the caller no
   * such tool), for its audit line and metrics, before it lets the SDK answer it as usual.
   */
  refusedBy(cause: "rule"): void;
}

/** Answers a request itself (a gateway relaying it), or undefined to let the SDK serve it as usual. */
export type InterceptFn<Env> = (request: InterceptedRequest<Env>) => Promise<Response | undefined>;

/** The intercepted view of one modern request, with its checks bound to this server. */
export function interceptedRequest<Env>(identity: ServerIdentity<Env>, env: Env, caller: CallerIdentity, message: JSONRPCRequest, original: Request, headers: Headers, body: string, seen: RequestObservation): InterceptedRequest<Env> {
  const claims = claimsOf(caller);
  let request: Request | undefined;
  return {
    env,
    caller,
    ...(claims === undefined ? {} : { claims }),
    message,
    // A relaying interceptor builds its own request from url, headers and body: no copy is made for it.
    get request() {
      request ??= new Request(original.url, { method: original.method, headers: new Headers(headers), body, signal: original.signal });
      return request;
    },
    url: original.url,
    headers,
    body,
    signal: original.signal,
    authorize: (scopes) => {
      const name = (message.params as { name?: unknown } | undefined)?.name;
      const tools = new Map(typeof name === "string" ? [[name, scopes]] : []);
      return checkBeforeDispatch(identity, env, caller, [message], tools);
    },
    relayedTo: (backend, failed) => void (seen.relayed = { backend, failed }),
    refusedBy: (cause) => void (seen.refusal = { cause }),
  };
}
