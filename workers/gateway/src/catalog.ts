import type { CallerIdentity } from "@edge-mcp/server";
import type { Tool } from "@modelcontextprotocol/server";
import type { BackendTarget } from "./backend-target.ts";
import { BackendUnavailableError, relay } from "./relay.ts";

/** How many tools/list pages the gateway follows per backend before it stops (a backend paging forever). */
const MAX_LIST_PAGES = 20;

/** What `/health` and the audit log say about one backend. */
export interface BackendHealth {
  readonly status: "ok" | "timeout" | "unreachable" | "bad_response" | "misconfigured" | "unknown";
  /** When the gateway last heard from it (or tried), ISO 8601. */
  readonly checkedAt: string | null;
  readonly latencyMs: number | null;
  readonly tools: number | null;
  readonly detail?: string;
}

/** The lists a backend offers, by the field its list result carries them in. */
export type ListKind = "tools" | "prompts" | "resources" | "resourceTemplates";
const LIST_METHOD: Record<ListKind, string> = { tools: "tools/list", prompts: "prompts/list", resources: "resources/list", resourceTemplates: "resources/templates/list" };
/** A failed prompts or resources listing is tried again after this long, in milliseconds (tools: on the next request). */
const FAILED_LIST_RETRY_MS = 10_000;
/** JSON-RPC "method not found": a backend without prompts or resources has an empty list of them. */
const METHOD_NOT_FOUND = -32601;

interface Entry {
  readonly items: readonly unknown[];
  /** Epoch ms after which the list is fetched again. */
  readonly expiresAt: number;
}

export interface CatalogOptions {
  readonly timeoutMs: number;
  readonly maxCacheMs: number;
  /** Who lists a backend whose tools/list is public: the gateway itself, with read scopes only. */
  readonly lister: CallerIdentity;
  readonly now?: () => number;
  /** Told when a backend fails, and when it recovers (for the audit log). */
  readonly onStatus?: (backend: string, health: BackendHealth) => void;
  /**
   * Keeps a fetch going after the listing that started it has answered without it (the request's
   * `ExecutionContext.waitUntil`): workerd drops a request's pending work once its response is
   * done, so without it a slow backend's tools would never arrive late.
   */
  readonly keepAlive?: (work: Promise<unknown>) => void;
}

/**
 * Backends' tool lists, per isolate. A list is cached as long as its backend allows (2026-07-28
 * `ttlMs`, capped by `maxCacheMs`) and dropped when the backend announces a change. A list the
 * backend marks `cacheScope: "private"` is fetched and cached per caller, never shared across
 * callers (2026-07-28 §Caching). Concurrent misses share one fetch (for up to `timeoutMs`); a
 * fetch slower than `timeoutMs` leaves that backend out of the listing (it keeps running — past
 * the listing's answer through `keepAlive` — and fills the cache).
 */
export class Catalog {
  readonly #entries = new Map<string, Entry>();
  #generation = 0;
  readonly #inflight = new Map<string, { readonly entry: Promise<Entry>; readonly startedAt: number }>();
  readonly #private = new Set<string>();
  readonly #health = new Map<string, BackendHealth>();
  readonly #lateListeners = new Set<(backend: string) => void>();
  readonly #now: () => number;
  readonly options: CatalogOptions;

  constructor(options: CatalogOptions) {
    this.options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The tools of each backend that answered in time; backends that did not are absent. */
  toolsOf(targets: readonly BackendTarget[], caller: CallerIdentity): Promise<Map<string, readonly Tool[]>> {
    return this.listsOf<Tool>("tools", targets, caller);
  }

  /** One kind of list of each backend that answered in time (a backend without that kind: empty). */
  async listsOf<T>(kind: ListKind, targets: readonly BackendTarget[], caller: CallerIdentity): Promise<Map<string, readonly T[]>> {
    const lists = await Promise.all(targets.map((target) => this.#withTimeout(kind, target, caller)));
    const result = new Map<string, readonly T[]>();
    targets.forEach((target, i) => {
      const list = lists[i];
      if (list !== undefined) result.set(target.name, list as readonly T[]);
    });
    return result;
  }

  /** Drops every list of a backend (its list_changed arrived, or a call to it failed). */
  invalidate(backend: string): void {
    for (const key of [...this.#entries.keys()]) if (key.split("\u0000")[1] === backend) this.#entries.delete(key);
    this.#generation += 1;
  }

  /** Changes whenever any cached list does: what is derived from the lists is stale once it moves. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Calls `listener` with a backend's name when its tools list arrives after a listing had left it
   * out (it missed `timeoutMs`): callers that got that listing are missing its tools and should
   * list again. Returns the unsubscribe function.
   */
  onLateTools(listener: (backend: string) => void): () => void {
    this.#lateListeners.add(listener);
    return () => this.#lateListeners.delete(listener);
  }

  health(name: string): BackendHealth {
    return this.#health.get(name) ?? { status: "unknown", checkedAt: null, latencyMs: null, tools: null };
  }

  markMisconfigured(name: string, detail: string): void {
    this.#record(name, { status: "misconfigured", detail });
  }

  async #withTimeout(kind: ListKind, target: BackendTarget, caller: CallerIdentity): Promise<readonly unknown[] | undefined> {
    const sharedKey = `${kind}\u0000${target.name}`;
    const privateKey = `${sharedKey}\u0000${caller.subject}\u0000${caller.clientId}`;
    // A backend reached as each user lists per user too: its lists are the user's, never shared.
    const key = target.perUser === true || this.#private.has(sharedKey) ? privateKey : sharedKey;
    const cached = this.#entries.get(key);
    if (cached !== undefined && cached.expiresAt > this.#now()) return cached.items;
    const load = async () => {
      if (key === privateKey) return this.#fetch(kind, target, key, caller);
      const shared = await this.#fetch(kind, target, key, this.options.lister);
      // The backend said its list depends on the caller: list again as this caller.
      return this.#private.has(sharedKey) ? this.#fetch(kind, target, privateKey, caller) : shared;
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.options.timeoutMs);
    });
    const loading = load();
    try {
      const entry = await Promise.race([loading, timeout]);
      if (entry === undefined && kind === "tools") {
        this.#record(target.name, { status: "timeout", detail: `no answer within ${this.options.timeoutMs} ms` });
        // The fetch goes on and fills the cache; then the listing it was left out of is stale.
        const late = loading.then(() => {
          for (const listener of this.#lateListeners) listener(target.name);
        }, () => undefined);
        this.options.keepAlive?.(late);
      }
      return entry?.items;
    } catch {
      return undefined; // recorded by #fetch
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  #fetch(kind: ListKind, target: BackendTarget, key: string, caller: CallerIdentity): Promise<Entry> {
    // Concurrent misses share one fetch — but only while it is younger than the listing timeout.
    // The fetch is I/O of the request that started it, and workerd ends that I/O with the request
    // (a client that went away): shared past that, a fetch that will never settle would leave the
    // backend out of every listing after it.
    const pending = this.#inflight.get(key);
    if (pending !== undefined && this.#now() - pending.startedAt < this.options.timeoutMs) return pending.entry;
    const entry = this.#list(kind, target, key, caller).finally(() => {
      if (this.#inflight.get(key)?.entry === entry) this.#inflight.delete(key);
    });
    this.#inflight.set(key, { entry, startedAt: this.#now() });
    return entry;
  }

  async #list(kind: ListKind, target: BackendTarget, key: string, caller: CallerIdentity): Promise<Entry> {
    const started = this.#now();
    const sharedKey = `${kind}\u0000${target.name}`;
    const items: unknown[] = [];
    let ttlMs = Number.POSITIVE_INFINITY;
    let isPrivate = false;
    let cursor: string | undefined;
    try {
      for (let page = 0; page < MAX_LIST_PAGES; page++) {
        const outcome = await relay(target, { method: LIST_METHOD[kind], params: cursor === undefined ? {} : { cursor }, caller, signal: new AbortController().signal });
        if (outcome.kind === "error" && outcome.code === METHOD_NOT_FOUND && kind !== "tools") {
          const none = { items: [], expiresAt: this.#now() + this.options.maxCacheMs };
          this.#entries.set(key, none);
          this.#generation += 1;
          return none;
        }
        if (outcome.kind === "error") throw new BackendUnavailableError(target.name, "bad_response", `${LIST_METHOD[kind]} error ${outcome.code}`);
        const result = outcome.result as Record<string, unknown> & { nextCursor?: string; ttlMs?: number; cacheScope?: string };
        const listed = result[kind];
        if (!Array.isArray(listed)) throw new BackendUnavailableError(target.name, "bad_response", `${LIST_METHOD[kind]} without ${kind}`);
        items.push(...(listed as unknown[]));
        ttlMs = Math.min(ttlMs, typeof result.ttlMs === "number" && result.ttlMs >= 0 ? result.ttlMs : 0);
        isPrivate ||= result.cacheScope === "private";
        cursor = typeof result.nextCursor === "string" ? result.nextCursor : undefined;
        if (cursor === undefined) break;
      }
    } catch (error) {
      const reason = error instanceof BackendUnavailableError ? error.reason : "unreachable";
      if (kind === "tools") this.#record(target.name, { status: reason, detail: error instanceof BackendUnavailableError ? error.message : "request failed" });
      // A backend failing its prompts or resources listing is asked again only after a pause, not on every request.
      else {
        this.#entries.set(key, { items: [], expiresAt: this.#now() + Math.min(FAILED_LIST_RETRY_MS, this.options.maxCacheMs) });
        this.#generation += 1;
      }
      throw error;
    }
    if (isPrivate && !this.#private.has(sharedKey)) {
      // Learned only now that this backend's list depends on the caller: never keep it shared.
      this.#private.add(sharedKey);
      this.#entries.delete(sharedKey);
      if (key === sharedKey) return { items: [], expiresAt: 0 };
    }
    const entry = { items, expiresAt: this.#now() + Math.min(ttlMs, this.options.maxCacheMs) };
    this.#entries.set(key, entry);
    this.#generation += 1;
    if (kind === "tools") this.#record(target.name, { status: "ok", latencyMs: this.#now() - started, tools: items.length });
    return entry;
  }

  #record(name: string, update: Partial<BackendHealth> & Pick<BackendHealth, "status">): void {
    const before = this.#health.get(name)?.status;
    const health = { checkedAt: new Date(this.#now()).toISOString(), latencyMs: null, tools: null, ...update };
    this.#health.set(name, health);
    if (health.status !== "ok" || (before !== undefined && before !== "ok")) this.options.onStatus?.(name, health);
  }
}
