/** An exchanged token as the cache keeps it: in memory only. */
export interface ExchangedToken {
  readonly accessToken: string;
  /** ms since the epoch. */
  readonly expiresAt: number;
  readonly scopes: readonly string[];
}

/** Defaults of the exchanged-token cache, with units in the names. */
export const TOKEN_CACHE_DEFAULTS = Object.freeze({
  /** Tokens kept per isolate (the least recently used go first). */
  maxEntries: 1_000,
  /** A token is not handed out this close to its expiry: exchanged again instead, in milliseconds. */
  expirySkewMs: 60_000,
});

/**
 * Exchanged tokens per (issuer, caller, API, scopes), until shortly before they expire: bounded
 * (LRU), single-flight per key — concurrent calls for one key share one exchange, calls for
 * other keys never wait for it. Per isolate, in memory only: never KV, storage or logs.
 */
export class TokenCache {
  readonly #entries = new Map<string, ExchangedToken>();
  readonly #inFlight = new Map<string, Promise<ExchangedToken>>();
  readonly #max: number;
  readonly #skewMs: number;

  constructor(options: { maxEntries?: number; expirySkewMs?: number } = {}) {
    this.#max = options.maxEntries ?? TOKEN_CACHE_DEFAULTS.maxEntries;
    this.#skewMs = options.expirySkewMs ?? TOKEN_CACHE_DEFAULTS.expirySkewMs;
  }

  /** The cached token for `key` while it is fresh, else one from `exchange` (shared by concurrent callers). */
  async get(key: string, exchange: () => Promise<ExchangedToken>, now = Date.now()): Promise<{ token: ExchangedToken; cached: boolean }> {
    const held = this.#entries.get(key);
    if (held !== undefined && held.expiresAt - this.#skewMs > now) {
      // Most recently used last: the first key is the one to drop.
      this.#entries.delete(key);
      this.#entries.set(key, held);
      return { token: held, cached: true };
    }
    if (held !== undefined) this.#entries.delete(key);
    let pending = this.#inFlight.get(key);
    if (pending === undefined) {
      pending = exchange().finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
      const token = await pending;
      this.#remember(key, token);
      return { token, cached: false };
    }
    return { token: await pending, cached: false };
  }

  /** Forgets a token the downstream API refused (the next call exchanges again). */
  invalidate(key: string, token: ExchangedToken): void {
    if (this.#entries.get(key) === token) this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }

  #remember(key: string, token: ExchangedToken): void {
    this.#entries.set(key, token);
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }
}
