import type { BuiltServer } from "./build-server.ts";
import { watchExchanges, type ExchangeWatch } from "./watch-exchanges.ts";

/**
 * Bounds of an isolate's pool of built servers, per protocol era. Counts, not bytes: a built
 * server of a few tools is tens of KiB. At most `keys × idlePerKey` idle servers per era; the
 * servers in use are as many as requests in flight, and are dropped, never returned, when their
 * exchange ends unanswered.
 */
export const POOL_DEFAULTS = Object.freeze({
  /** Idle servers kept per key (scope set). */
  idlePerKey: 8,
  /** Keys (distinct scope sets) kept; the least recently used goes first. */
  keys: 32,
});

/**
 * Methods after which a server is as it was built. Anything else (initialize, logging/setLevel,
 * subscriptions, tasks) may leave per-client state on the instance (negotiated version, client
 * capabilities, log level), so its server is dropped after the exchange.
 */
const REUSABLE_AFTER: ReadonlySet<string> = new Set([
  "tools/call",
  "tools/list",
  "prompts/list",
  "prompts/get",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "completion/complete",
  "ping",
  "server/discover",
]);

/** A built server lent to one request. */
export interface Lease {
  readonly built: BuiltServer;
  /**
   * The request is done with the server on its side (answered, refused, or handed to the SDK):
   * the server goes back once its exchange, if it started one, has closed answered.
   */
  settle(): void;
}

interface Pooled {
  readonly built: BuiltServer;
  readonly watch: ExchangeWatch;
}

export interface ServerPool {
  /**
   * A server for `key` (what `setup` depends on), idle or newly built; one exchange at a time.
   * `method`: what the request asks, which decides whether the server may be reused after it.
   */
  acquire(key: string, method: string | undefined, build: () => Promise<BuiltServer>): Promise<Lease>;
  /** Idle servers, for tests of the bound. */
  idleCount(): number;
}

/**
 * Built servers reused across requests of one isolate (MCP 2026-07-28 and 2025 stateless).
 * Only what `setup` may depend on is in the key (the era is the pool's, the scope set the key):
 * per-call context (the caller, claims, requestState binding, abort signal, audit) travels with
 * each call, never in the pooled object. A setup that throws builds nothing to keep; a tool that
 * hangs keeps its server out of the pool until its exchange ends.
 */
export function createServerPool(options: { readonly closeWhenAnswered?: boolean; readonly limits?: Partial<Record<keyof typeof POOL_DEFAULTS, number>> } = {}): ServerPool {
  const limits = { ...POOL_DEFAULTS, ...options.limits };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new TypeError(`createServerPool: limits.${name} must be a positive integer`);
  }
  const idle = new Map<string, Pooled[]>();

  function giveBack(key: string, pooled: Pooled): void {
    let list = idle.get(key);
    if (list !== undefined) idle.delete(key); // re-inserted below: most recently used last
    else if (idle.size >= limits.keys) idle.delete(idle.keys().next().value!);
    list ??= [];
    if (list.length < limits.idlePerKey) list.push(pooled);
    idle.set(key, list);
  }

  return {
    async acquire(key, method, build) {
      const pooled = idle.get(key)?.pop() ?? (await buildPooled(build, options.closeWhenAnswered === true));
      const reusable = method !== undefined && REUSABLE_AFTER.has(method);
      const { watch } = pooled;
      watch.reset();
      let settled = false;
      let closed = false;
      let finished = false;
      const finish = () => {
        if (finished || !settled || (watch.connected && !closed)) return;
        finished = true;
        watch.onClosed = undefined;
        if (reusable && (!watch.connected || watch.answered)) giveBack(key, pooled);
      };
      watch.onClosed = () => {
        closed = true;
        finish();
      };
      return {
        built: pooled.built,
        settle() {
          settled = true;
          finish();
        },
      };
    },
    idleCount: () => [...idle.values()].reduce((n, list) => n + list.length, 0),
  };
}

async function buildPooled(build: () => Promise<BuiltServer>, closeWhenAnswered: boolean): Promise<Pooled> {
  const built = await build();
  return { built, watch: watchExchanges(built.server, { closeWhenAnswered }) };
}
