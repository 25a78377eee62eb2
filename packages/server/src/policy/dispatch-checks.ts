import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import type { CallerIdentity } from "../base/caller.ts";
import type { ToolScopes } from "./method-scopes.ts";
import { enforceRateLimit, rateLimiterFor, type RateLimitConfig } from "./rate-limit.ts";
import { checkMessageScopes } from "./scope-check.ts";

/**
 * What every request passes before the SDK dispatches it, in every era and transport: the
 * scopes its messages need (403 step-up) and the caller's rate limits (429). Nothing runs
 * before both pass.
 */
export async function checkBeforeDispatch<Env>(identity: { readonly name: string; readonly rateLimit?: RateLimitConfig }, env: Env, caller: CallerIdentity, messages: readonly JSONRPCMessage[], toolScopes: ToolScopes): Promise<void> {
  checkMessageScopes(caller, messages, toolScopes);
  if (identity.rateLimit !== undefined) {
    await enforceRateLimit(rateLimiterFor(env as object, identity.rateLimit), identity.rateLimit, identity.name, caller, messages, toolScopes);
  }
}
