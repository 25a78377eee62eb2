import { DurableObject } from "cloudflare:workers";
import { SCOPES } from "@edge-mcp/auth";
import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import type { CallerIdentity } from "../base/caller.ts";
import { RateLimitedError } from "../base/errors.ts";
import { scopesForMessage, type ToolScopes } from "./method-scopes.ts";

/**
 * Per-server limits (mcp.json `rateLimit`), applied per user (`sub`) and, for machine
 * (client-credentials) tokens, per client id. Every JSON-RPC message counts, so a batch costs
 * what its messages would cost one by one.
 */
export interface RateLimitConfig {
  /** JSON-RPC messages allowed per window, per user (and per machine client). */
  readonly requests: number;
  /** Of those, `tools/call`s of tools.write tools allowed per window. Default: `requests`. */
  readonly writes?: number;
  /** Window length, in seconds. */
  readonly windowSeconds: number;
}

/** One fixed-window decision. */
export interface RateDecision {
  readonly allowed: boolean;
  readonly retryAfterSeconds: number;
}

/** Binding names a worker declares for rate limiting (either one). */
export const RATE_LIMIT_BINDINGS = Object.freeze({ workersRateLimit: "RATE_LIMITER", durableObject: "RATE_LIMIT" });

/** Where counters live: the Workers Rate Limiting binding, or a Durable Object counter. */
export interface RateLimiter {
  /** Counts `cost` hits against `key`; all or nothing: a denied hit consumes no budget. */
  hit(key: string, limit: number, windowSeconds: number, cost: number): Promise<RateDecision>;
}

/**
 * A fixed-window counter per key (one object per key, `idFromName`). Exact at the boundary:
 * the `limit`-th request of a window is allowed, the next one is not, until the window ends.
 * Counts live in memory: an evicted counter starts its window over (lenient, never stricter).
 */
export class RateLimitCounter extends DurableObject {
  #windowStart = 0;
  #count = 0;

  hit(limit: number, windowMs: number, now: number, cost = 1): RateDecision {
    // Windows start at the first hit after the previous one ended: [start, start + windowMs).
    if (now >= this.#windowStart + windowMs) {
      this.#windowStart = now;
      this.#count = 0;
    }
    if (this.#count + cost > limit) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((this.#windowStart + windowMs - now) / 1000)) };
    this.#count += cost;
    return { allowed: true, retryAfterSeconds: 0 };
  }
}

interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/** The Workers Rate Limiting binding (its limit and period are set in wrangler.toml). */
export function bindingRateLimiter(binding: RateLimitBinding, periodSeconds: number): RateLimiter {
  return {
    // The binding counts one per call: a cost of n is n calls (a batch holds at most 32 messages).
    async hit(key, _limit, _window, cost) {
      let success = true;
      for (let i = 0; i < cost && success; i++) success = (await binding.limit({ key })).success;
      return { allowed: success, retryAfterSeconds: success ? 0 : periodSeconds };
    },
  };
}

export function durableObjectRateLimiter(namespace: DurableObjectNamespace<RateLimitCounter>, now: () => number = Date.now): RateLimiter {
  return {
    hit: (key, limit, windowSeconds, cost) => namespace.get(namespace.idFromName(key)).hit(limit, windowSeconds * 1000, now(), cost),
  };
}

/**
 * A machine (client-credentials) token: Auth0 sets `sub` to `<client_id>@clients`, other
 * authorization servers to the client id. Only these are limited per client: every user of a
 * public client (one client id per installed app) shares its id, so a per-client budget would
 * let one user lock out all the others.
 */
export function isMachineCaller(caller: CallerIdentity): boolean {
  return caller.subject === caller.clientId || caller.subject === `${caller.clientId}@clients`;
}

/**
 * Counts a request's messages against the caller's limits: every JSON-RPC message against the
 * request budget, every `tools/call` of a tools.write tool against the write budget — per user,
 * and per client for machine tokens. Over any limit → `RateLimitedError` (HTTP 429,
 * Retry-After), before anything is dispatched.
 */
export async function enforceRateLimit(limiter: RateLimiter, config: RateLimitConfig, server: string, caller: CallerIdentity, messages: readonly JSONRPCMessage[], tools: ToolScopes): Promise<void> {
  const writes = messages.filter((m) => "method" in m && m.method === "tools/call" && scopesForMessage(m, tools).includes(SCOPES.toolsWrite)).length;
  await charge(limiter, config, server, caller, Math.max(1, messages.length), writes);
}

/**
 * Counts one write against the caller's write budget for what is not a write call but leaves
 * something behind like one: a task created (MCP tasks extension), an object kept for an hour.
 */
export async function chargeWrite(limiter: RateLimiter, config: RateLimitConfig, server: string, caller: CallerIdentity): Promise<void> {
  await charge(limiter, config, server, caller, 0, 1);
}

/** `requests` against the request budget and `writes` against the write budget, per user (and machine client); all or nothing. */
async function charge(limiter: RateLimiter, config: RateLimitConfig, server: string, caller: CallerIdentity, requests: number, writes: number): Promise<void> {
  const principals = [`sub|${caller.subject}`, ...(isMachineCaller(caller) ? [`client|${caller.clientId}`] : [])];
  const checks: Array<[string, number, number]> = requests === 0 ? [] : principals.map((p) => [`${server}|req|${p}`, config.requests, requests]);
  if (writes > 0) {
    const writeLimit = config.writes ?? config.requests;
    for (const p of principals) checks.push([`${server}|write|${p}`, writeLimit, writes]);
  }
  const decisions = await Promise.all(checks.map(([key, limit, cost]) => limiter.hit(key, limit, config.windowSeconds, cost)));
  const denied = decisions.filter((d) => !d.allowed);
  if (denied.length > 0) {
    throw new RateLimitedError(Math.max(...denied.map((d) => d.retryAfterSeconds)));
  }
}

/** The limiter for this env: the Rate Limiting binding when present, else the counter object. */
export function rateLimiterFor(env: object, config: RateLimitConfig): RateLimiter {
  const bindings = env as Record<string, unknown>;
  const native = bindings[RATE_LIMIT_BINDINGS.workersRateLimit] as RateLimitBinding | undefined;
  if (native !== undefined && typeof native.limit === "function") return bindingRateLimiter(native, config.windowSeconds);
  const namespace = bindings[RATE_LIMIT_BINDINGS.durableObject] as DurableObjectNamespace<RateLimitCounter> | undefined;
  if (namespace !== undefined) return durableObjectRateLimiter(namespace);
  throw new TypeError(`rateLimit needs a ${RATE_LIMIT_BINDINGS.workersRateLimit} (Workers Rate Limiting) or ${RATE_LIMIT_BINDINGS.durableObject} (RateLimitCounter Durable Object) binding.`);
}

/**
 * Counts one hit against a named budget shared by every caller (e.g. a gateway's budget for one
 * backend), with the worker's rate-limit binding; over it → `RateLimitedError` (HTTP 429 with
 * Retry-After when thrown before a request is answered).
 */
export async function enforceBudget(env: object, key: string, budget: { readonly requests: number; readonly windowSeconds: number }): Promise<void> {
  const decision = await rateLimiterFor(env, budget).hit(`budget|${key}`, budget.requests, budget.windowSeconds, 1);
  if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);
}
