import type { Catalog } from "./catalog.ts";
import type { OfferedTool } from "./gateway-tools.ts";
import type { Policy } from "./policy.ts";

/** How long one caller's tool table is reused on the call path, in milliseconds. */
const ROUTE_CACHE_MS = 1_000;
/** Callers whose tables are kept, at most (oldest dropped first). */
const ROUTE_CACHE_ENTRIES = 1_000;

interface Cached {
  readonly tools: ReadonlyMap<string, OfferedTool>;
  readonly generation: number;
  readonly until: number;
}

/**
 * The call path's memory of each caller's tool table (name → backend tool), so a burst of calls
 * does not rebuild it per call. Keyed by everything the table depends on — the rules version, the
 * caller (private lists are per caller), the rules that matched and the scopes they leave — and
 * dropped as soon as any backend list changes (the catalog's generation) or after
 * `ROUTE_CACHE_MS`. A table built while a backend was missing is never kept: the next call asks
 * again, so a recovered backend is seen at once.
 */
export class RouteCache {
  readonly #tables = new Map<string, Cached>();
  readonly #catalog: Catalog;
  readonly #now: () => number;

  constructor(catalog: Catalog, now: () => number = Date.now) {
    this.#catalog = catalog;
    this.#now = now;
  }

  /** `only`: the one name a partial table was built for (the call path). */
  keyFor(rulesVersion: string, caller: { subject: string; clientId: string }, policy: Policy, only?: string): string {
    return [rulesVersion, caller.subject, caller.clientId, policy.signature, policy.scopes.join(" "), only ?? ""].join("\u0000");
  }

  get(key: string): ReadonlyMap<string, OfferedTool> | undefined {
    const cached = this.#tables.get(key);
    if (cached === undefined) return undefined;
    if (cached.generation !== this.#catalog.generation || cached.until <= this.#now()) {
      this.#tables.delete(key);
      return undefined;
    }
    return cached.tools;
  }

  set(key: string, tools: ReadonlyMap<string, OfferedTool>, generation: number, complete: boolean): void {
    if (!complete || generation !== this.#catalog.generation) return;
    this.#tables.delete(key);
    this.#tables.set(key, { tools, generation, until: this.#now() + ROUTE_CACHE_MS });
    while (this.#tables.size > ROUTE_CACHE_ENTRIES) this.#tables.delete(this.#tables.keys().next().value!);
  }
}
