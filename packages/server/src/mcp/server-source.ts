import type { ServerEventBus } from "@modelcontextprotocol/server";
import { buildServer, type BuildOptions, type ServerIdentity } from "./build-server.ts";
import type { CallerIdentity } from "../base/caller.ts";
import { createServerPool, type Lease, type ServerPool } from "./server-pool.ts";

/** Where a stateless request (2026-07-28, or 2025 stateless) gets its built server. */
export interface ServerSource<Env> {
  /**
   * A server for this caller and request. `single`: the request is one message (a batch is
   * served by a server of its own, never reused). Settle the lease when done with it.
   */
  lease(env: Env, caller: CallerIdentity, request: { readonly method?: string; readonly target?: string }, single: boolean): Promise<Lease>;
}

/**
 * Per isolate (per env object), one pool per era: reusable servers keyed by the caller's scope
 * set — what a reusable `setup` may depend on besides env and era. With `reuse: false` every
 * request builds its own, and `setup` sees the caller, claims, method and target as before.
 */
export function createServerSource<Env>(
  identity: ServerIdentity<Env>,
  era: "legacy" | "modern",
  options: { readonly busFor?: (env: Env) => ServerEventBus } = {},
): ServerSource<Env> {
  const pools = new WeakMap<object, ServerPool>();
  const buildOptions = (env: Env): BuildOptions => (options.busFor === undefined ? {} : { bus: options.busFor(env) });
  return {
    async lease(env, caller, request, single) {
      const base = { env, transport: "stateless" as const, era, caller };
      if (identity.reuse === false || !single) {
        const built = await buildServer(identity, { ...base, ...request }, buildOptions(env));
        return { built, settle: () => undefined };
      }
      let pool = pools.get(env as object);
      if (pool === undefined) {
        // 2025's stateless transport does not close itself after answering: the pool closes it.
        pool = createServerPool({ closeWhenAnswered: era === "legacy" });
        pools.set(env as object, pool);
      }
      const key = [...caller.scopes].sort().join(" ");
      return pool.acquire(key, request.method, () => buildServer(identity, base, { ...buildOptions(env), reusable: true }));
    },
  };
}
