import type { InterceptFn } from "@edge-mcp/server";
import { factsOf, policyFor } from "./policy.ts";
import type { RulesStore } from "./rules-store.ts";

/**
 * `subscriptions/listen` from a caller no rule matches: refused (403), before a stream is opened —
 * there is nothing at this gateway for them to hear of. (A caller some rule matches listens, and
 * hears only what its rules reach: gateway-events.ts.)
 */
export function refuseUnmatchedListener(rules: RulesStore): InterceptFn<Record<string, unknown>> {
  return async ({ env, caller, claims, message, authorize }) => {
    if (message.method !== "subscriptions/listen") return undefined;
    const { snapshot } = await rules.readFrom(env);
    if (policyFor(snapshot.rules, factsOf(caller, claims)).matchesAny) return undefined;
    await authorize([]); // rate limits count this request like any other
    return Response.json(
      { jsonrpc: "2.0", id: message.id, error: { code: -32600, message: "Nothing at this gateway is open to you, so there is nothing to listen to." } },
      { status: 403, headers: { "cache-control": "no-store" } },
    );
  };
}

/** Interceptors tried in order: the first answer wins, none → the SDK serves the request. */
export function firstAnswer<Env>(...interceptors: ReadonlyArray<InterceptFn<Env>>): InterceptFn<Env> {
  return async (request) => {
    for (const intercept of interceptors) {
      const answered = await intercept(request);
      if (answered !== undefined) return answered;
    }
    return undefined;
  };
}
