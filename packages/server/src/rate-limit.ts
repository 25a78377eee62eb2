import { DurableObject } from "cloudflare:workers";
import { SCOPES } from "@edge-mcp/auth";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { CallerIdentity } from "./caller.ts";
import { RateLimitedError } from "./errors.ts";
import { scopesForMessage, type ToolScopes } from "./method-scopes.ts";

/** Per-server limits (mcp.json `rateLimit`), applied per user (`sub`) and per client id. */
export interface RateLimitConfig {
  /** MCP POST requests allowed per window, per user and per client. */
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
  hit(key: string, limit: number, windowSeconds: number): Promise<RateDecision>;
}

/**
 * A fixed-window counter per key (one object per key, `idFromName`). Exact at the boundary:
 * the `limit`-th request of a window is allowed, the next one is not, until the window ends.
 * Counts live in memory: an evicted counter starts its window over (lenient, never stricter).
 */
export class RateLimitCounter extends DurableObject {
  #windowStart = 0;
  #count = 0;

  hit(limit: number, windowMs: number, now: number): RateDecision {
    // Windows start at the first hit after the previous one ended: [start, start + windowMs).
    if (now >= this.#windowStart + windowMs) {
      this.#windowStart = now;
      this.#count = 0;
    }
    if (this.#count >= limit) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((this.#windowStart + windowMs - now) / 1000)) };
    this.#count += 1;
    return { allowed: true, retryAfterSeconds: 0 };
  }
}

interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/** The Workers Rate Limiting binding (its limit and period are set in wrangler.toml). */
export function bindingRateLimiter(binding: RateLimitBinding, periodSeconds: number): RateLimiter {
  return {
    async hit(key) {
      const { success } = await binding.limit({ key });
      return { allowed: success, retryAfterSeconds: success ? 0 : periodSeconds };
    },
  };
}

export function durableObjectRateLimiter(namespace: DurableObjectNamespace<RateLimitCounter>, now: () => number = Date.now): RateLimiter {
  return {
    hit: (key, limit, windowSeconds) => namespace.get(namespace.idFromName(key)).hit(limit, windowSeconds * 1000, now()),
  };
}

/**
 * Counts a request against the caller's user and client limits (and the write limit when it
 * calls a tools.write tool). Over any limit → `RateLimitedError` (HTTP 429, Retry-After), before
 * anything is dispatched.
 */
export async function enforceRateLimit(limiter: RateLimiter, config: RateLimitConfig, server: string, caller: CallerIdentity, messages: readonly JSONRPCMessage[], tools: ToolScopes): Promise<void> {
  const writes = messages.filter((m) => "method" in m && m.method === "tools/call" && scopesForMessage(m, tools).includes(SCOPES.toolsWrite)).length;
  const checks: Array<[string, number]> = [
    [`${server}|req|sub|${caller.subject}`, config.requests],
    [`${server}|req|client|${caller.clientId}`, config.requests],
  ];
  if (writes > 0) {
    const writeLimit = config.writes ?? config.requests;
    checks.push([`${server}|write|sub|${caller.subject}`, writeLimit], [`${server}|write|client|${caller.clientId}`, writeLimit]);
  }
  const decisions = await Promise.all(checks.map(([key, limit]) => limiter.hit(key, limit, config.windowSeconds)));
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
