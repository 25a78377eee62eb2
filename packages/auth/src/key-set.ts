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
  /** The fetch time of the key set the store last received (bounds writes: at most one per max-age unless keys change). */
  private persistedUat: number | undefined;
  private persistedFingerprint: string | undefined;
  /** The fetch time of the last fetch this object has looked at. */
  private seenUat: number | undefined;
  /** The key set the token cache's entries belong to: changes only when the keys' content changes. */
  private versionJwks: JSONWebKeySet | undefined;
  private versionFingerprint: string | undefined;
  private currentVersion = 0;
  private fallbackFor: JSONWebKeySet | undefined;
  private fallbackSet: JWTVerifyGetKey | undefined;
  private lastFailureAt: number | undefined;

  constructor(options: ResolvedVerifierOptions, store: JwksStore | undefined, seed: StoredJwks | undefined) {
    this.options = options;
    this.store = store;
    this.cache = seed === undefined ? {} : { jwks: seed.jwks, uat: seed.uat };
    this.persistedUat = seed?.uat;
    this.seenUat = seed?.uat;
    this.persistedFingerprint = seed === undefined ? undefined : fingerprint(seed.jwks);
    const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
    this.remote = createRemoteJWKSet(new URL(options.jwksUri), {
      timeoutDuration: options.jwksTimeoutMs,
      cooldownDuration: options.jwksCooldownMs,
      cacheMaxAge: options.jwksCacheMaxAgeMs,
      [customFetch]: createJwksFetch(fetchImpl, options.jwksTimeoutMs),
      [jwksCache]: this.cache as JWKSCacheInput,
    });
  }

  /**
   * Identifies the current key set for the verified-token cache. A refetch that returns the same
   * keys (every cooldown, a forged `kid` can force one) keeps the version, so cached tokens stay
   * cached; new keys (rotation) change it. The hot path compares one object reference.
   */
  get version(): number {
    const jwks = this.cache.jwks;
    if (jwks !== this.versionJwks) {
      this.versionJwks = jwks;
      const next = jwks === undefined ? undefined : fingerprint(jwks);
      if (next !== this.versionFingerprint) {
        this.versionFingerprint = next;
        this.currentVersion = this.cache.uat ?? 0;
      }
    }
    return this.currentVersion;
  }

  /** Until when keys of the current set may be trusted at all (the stale-if-error horizon, from the last fetch). */
  get trustedUntilMs(): number {
    return (this.cache.uat ?? 0) + this.options.jwksStoreTtlSeconds * 1000;
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

  /** Whether jose fetched since `persist` last looked. Synchronous: the hot path asks. */
  get hasUnpersisted(): boolean {
    return this.cache.uat !== undefined && this.cache.uat !== this.seenUat;
  }

  /**
   * After a fetch: clears the failure state, and writes the keys back to the store when they
   * changed, or when the stored copy is older than max-age (so new isolates seed fresh keys).
   * A refetch that returns the same keys writes nothing: forged `kid`s cost no store writes
   * (KV's free tier allows 1,000 a day). Never throws.
   */
  async persist(): Promise<void> {
    const { jwks, uat } = this.cache;
    if (jwks === undefined || uat === undefined || uat === this.seenUat) return;
    this.seenUat = uat; // set before awaiting: concurrent callers write once
    this.lastFailureAt = undefined;
    const print = fingerprint(jwks);
    const due = this.persistedUat === undefined || uat - this.persistedUat >= this.options.jwksCacheMaxAgeMs;
    if (print === this.persistedFingerprint && !due) return;
    this.persistedUat = uat;
    this.persistedFingerprint = print;
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

/** The content of a key set, for "did the keys change?" (a JWKS is a few small keys). */
function fingerprint(jwks: JSONWebKeySet): string {
  return JSON.stringify(jwks.keys);
}
