import type { JSONRPCRequest } from "@modelcontextprotocol/server";
import type { ServerIdentity } from "./build-server.ts";
import { claimsOf, type CallerIdentity } from "./caller.ts";
import { checkBeforeDispatch } from "./dispatch-checks.ts";

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
  /** The request, its body already read and bounded, its credentials removed. */
  readonly request: Request;
  /**
   * Must be awaited before the request is answered: the scopes this request needs (403 step-up
   * when the caller lacks one) and the caller's rate limits (429) — what the SDK path checks.
   */
  authorize(scopes: readonly string[]): Promise<void>;
}

/** Answers a request itself (a gateway relaying it), or undefined to let the SDK serve it as usual. */
export type InterceptFn<Env> = (request: InterceptedRequest<Env>) => Promise<Response | undefined>;

/** The intercepted view of one modern request, with its checks bound to this server. */
export function interceptedRequest<Env>(identity: ServerIdentity<Env>, env: Env, caller: CallerIdentity, message: JSONRPCRequest, request: Request): InterceptedRequest<Env> {
  const claims = claimsOf(caller);
  return {
    env,
    caller,
    ...(claims === undefined ? {} : { claims }),
    message,
    request,
    authorize: (scopes) => {
      const name = (message.params as { name?: unknown } | undefined)?.name;
      const tools = new Map(typeof name === "string" ? [[name, scopes]] : []);
      return checkBeforeDispatch(identity, env, caller, [message], tools);
    },
  };
}
