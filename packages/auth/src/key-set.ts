import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  jwksCache,
  type JSONWebKeySet,
  type JWKSCacheInput,
  type JWTVerifyGetKey,
} from "jose";
import { createJwksFetch, type FetchLike } from "./jwks-fetch.ts";
import type { JwksStore, StoredJwks } from "./jwks-store.ts";
import type { ResolvedVerifierOptions } from "./verifier-options.ts";

/** What `/health` and operators want to know about the keys, without exposing them. */
export interface JwksStatus {
  /** `fresh`: within max-age; `stale`: usable only while the endpoint is down; `empty`: none. */
  readonly state: "fresh" | "stale" | "empty";
  readonly keyCount: number;
  /** When the keys were fetched from the JWKS endpoint (ms since epoch), if ever. */
  readonly fetchedAt: number | undefined;
  /** Age of the keys in seconds, if any. */
  readonly ageSeconds: number | undefined;
  /** When the last JWKS fetch failed (ms since epoch), if it did and nothing succeeded since. */
  readonly lastFailureAt: number | undefined;
}

/**
 * jose's remote JWK Set, seeded from (and written back to) a cross-isolate store through
 * jose's own `jwksCache` hook. jose still decides when to fetch (max-age, cooldown, unknown
 * `kid`); this adds only the seed, the write-back, a stale-if-error fallback and a backoff
 * after a failed fetch.
 */
export class KeySet {
  readonly remote: ReturnType<typeof createRemoteJWKSet>;
  private readonly options: ResolvedVerifierOptions;
  private readonly store: JwksStore | undefined;
  /** jose reads this at construction and updates `jwks` / `uat` after every fetch. */
  private readonly cache: { jwks?: JSONWebKeySet; uat?: number };
  private persistedUat: number | undefined;
  private fallbackFor: JSONWebKeySet | undefined;
  private fallbackSet: JWTVerifyGetKey | undefined;
  private lastFailureAt: number | undefined;

  constructor(options: ResolvedVerifierOptions, store: JwksStore | undefined, seed: StoredJwks | undefined) {
    this.options = options;
    this.store = store;
    this.cache = seed === undefined ? {} : { jwks: seed.jwks, uat: seed.uat };
    this.persistedUat = seed?.uat;
    const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
    this.remote = createRemoteJWKSet(new URL(options.jwksUri), {
      timeoutDuration: options.jwksTimeoutMs,
      cooldownDuration: options.jwksCooldownMs,
      cacheMaxAge: options.jwksCacheMaxAgeMs,
      [customFetch]: createJwksFetch(fetchImpl, options.jwksTimeoutMs),
      [jwksCache]: this.cache as JWKSCacheInput,
    });
  }

  /** Identifies the current key set: its fetch time. Changes whenever jose fetches. */
  get version(): number {
    return this.cache.uat ?? 0;
  }

  /** Until when keys of the current set may be trusted at all (the stale-if-error horizon). */
  get trustedUntilMs(): number {
    return this.version + this.options.jwksStoreTtlSeconds * 1000;
  }

  /** True shortly after a failed fetch: use what we have instead of trying again. */
  inFailureBackoff(now: number): boolean {
    if (this.lastFailureAt === undefined) return false;
    const since = now - this.lastFailureAt;
    // A clock that stepped backwards must not hold us in backoff for as long as it stepped.
    return since >= 0 && since < this.options.jwksFailureBackoffMs;
  }

  noteFailure(now: number): void {
    this.lastFailureAt = now;
  }

  /**
   * Keys to verify with while the JWKS endpoint is down: the last keys seen, as long as they
   * are inside the stale-if-error horizon. Undefined when there are none.
   */
  staleFallback(now: number): JWTVerifyGetKey | undefined {
    const { jwks } = this.cache;
    if (jwks === undefined || now >= this.trustedUntilMs) return undefined;
    if (this.fallbackFor !== jwks) {
      this.fallbackFor = jwks;
      this.fallbackSet = createLocalJWKSet(jwks);
    }
    return this.fallbackSet;
  }

  /** Whether jose fetched keys that the store has not seen yet. Synchronous: the hot path asks. */
  get hasUnpersisted(): boolean {
    return this.cache.uat !== undefined && this.cache.uat !== this.persistedUat;
  }

  /** Writes fetched keys back to the store. Never throws. */
  async persist(): Promise<void> {
    const { jwks, uat } = this.cache;
    if (jwks === undefined || uat === undefined || uat === this.persistedUat) return;
    this.persistedUat = uat; // set before awaiting: concurrent callers write once
    this.lastFailureAt = undefined;
    if (this.store === undefined) return;
    try {
      await this.store.write(this.options.jwksUri, { jwks, uat }, this.options.jwksStoreTtlSeconds);
    } catch {
      // The store is an optimisation; the next fetch will try again.
    }
  }

  status(now: number): JwksStatus {
    const { jwks, uat } = this.cache;
    const keyCount = jwks?.keys.length ?? 0;
    const ageSeconds = uat === undefined ? undefined : Math.max(0, Math.floor((now - uat) / 1000));
    const state = keyCount === 0 ? "empty" : this.remote.fresh ? "fresh" : "stale";
    return { state, keyCount, fetchedAt: uat, ageSeconds, lastFailureAt: this.lastFailureAt };
  }
}
