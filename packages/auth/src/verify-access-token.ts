import { jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions, type JWTVerifyResult } from "jose";
import type { AuthContext } from "./auth-context.ts";
import { coalesce } from "./coalesce.ts";
import { InvalidTokenError, JwksUnavailableError } from "./errors.ts";
import { JwksFetchError } from "./jwks-fetch.ts";
import { defaultJwksStore, type JwksStore, type StoredJwks } from "./jwks-store.ts";
import { KeySet, type JwksStatus } from "./key-set.ts";
import { describe, mapJoseError } from "./map-jose-error.ts";
import { authContextFromClaims } from "./token-claims.ts";
import { VerifiedTokenCache } from "./verified-token-cache.ts";
import { resolveVerifierOptions, type TokenVerifierOptions } from "./verifier-options.ts";

export interface TokenVerifier {
  readonly kind: "jwt";
  /**
   * Verifies an access token: signature (algorithm allow-list, `kid` from the JWKS), `iss`,
   * `aud` (any configured audience, exact match), `exp`, `nbf`. Throws `InvalidTokenError`
   * (401) or `JwksUnavailableError` (503); never returns a partially checked token.
   */
  verify(token: string): Promise<AuthContext>;
  /** Loads keys if none are loaded or they are past max-age; never throws. For `/health`. */
  warm(): Promise<JwksStatus>;
  /** The keys' state right now, without I/O. */
  status(): JwksStatus;
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly jwksUri: string;
}

/** A compact JWS: three base64url segments (RFC 7515 §7.1). A JWE or anything else is malformed here. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const EMPTY_STATUS: JwksStatus = Object.freeze({
  state: "empty",
  keyCount: 0,
  fetchedAt: undefined,
  ageSeconds: undefined,
  lastFailureAt: undefined,
});

/**
 * jose checks the header (`alg` against the allow-list, which is what stops `alg: none` and
 * HS256-with-the-public-key) before it asks for a key, and hands us the parsed header here —
 * so a token without a `kid` is refused before any lookup or fetch, without decoding twice.
 * Auth0 always sends `kid`; selecting "the only RSA key" for a kid-less token is not wanted.
 */
function requireKid(getKey: JWTVerifyGetKey): JWTVerifyGetKey {
  return (header, token) => {
    if (typeof header.kid !== "string" || header.kid === "") {
      throw new InvalidTokenError("unknown_key", "The access token does not name its signing key (kid).");
    }
    return getKey(header, token);
  };
}

/**
 * Create one verifier per isolate (module scope) and reuse it: its JWKS cache lives inside.
 * Building one per request — as Auth0's own sample does — refetches keys on every request.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const resolved = resolveVerifierOptions(options);
  const store: JwksStore | undefined = resolved.store === null ? undefined : (resolved.store ?? defaultJwksStore());
  const tokenCache = new VerifiedTokenCache(resolved.verifiedTokenCacheSize);
  const toleranceMs = resolved.clockToleranceSeconds * 1000;
  const verifyOptions: JWTVerifyOptions = {
    issuer: resolved.issuer,
    audience: [...resolved.audiences],
    algorithms: [...resolved.algorithms],
    clockTolerance: resolved.clockToleranceSeconds,
    requiredClaims: ["exp", "sub"],
  };

  let keySet: KeySet | undefined;
  let primaryKey: JWTVerifyGetKey | undefined;
  // Seeding reads the store once per isolate; concurrent first requests share the read.
  const seed = coalesce(async (): Promise<KeySet> => {
    if (keySet !== undefined) return keySet;
    let stored: StoredJwks | undefined;
    try {
      stored = await store?.read(resolved.jwksUri);
    } catch {
      stored = undefined; // a broken store must not break verification
    }
    if (keySet === undefined) {
      keySet = new KeySet(resolved, store, stored);
      primaryKey = requireKid(keySet.remote);
    }
    return keySet;
  }, resolved.jwksTimeoutMs);

  async function verifyWith(token: string, getKey: JWTVerifyGetKey): Promise<JWTVerifyResult> {
    try {
      return await jwtVerify(token, getKey, verifyOptions);
    } catch (error) {
      if (error instanceof JwksFetchError || error instanceof InvalidTokenError) throw error;
      throw mapJoseError(error) ?? error;
    }
  }

  /** The JWKS endpoint is down (or just failed): keys we already had keep working. */
  async function verifyWithStaleKeys(token: string, keys: KeySet, now: number, cause?: unknown): Promise<JWTVerifyResult> {
    const fallback = keys.staleFallback(now);
    if (fallback === undefined) {
      throw new JwksUnavailableError("The authorization server's signing keys are unavailable; try again shortly.", { cause });
    }
    return verifyWith(token, requireKid(fallback));
  }

  async function verifyFully(token: string, keys: KeySet, now: number): Promise<JWTVerifyResult> {
    if (keys.inFailureBackoff(now)) return verifyWithStaleKeys(token, keys, now);
    try {
      return await verifyWith(token, primaryKey ?? requireKid(keys.remote));
    } catch (error) {
      if (!(error instanceof JwksFetchError)) throw error;
      keys.noteFailure(now);
      return verifyWithStaleKeys(token, keys, now, error);
    } finally {
      if (keys.hasUnpersisted) await keys.persist();
    }
  }

  return Object.freeze({
    kind: "jwt" as const,
    issuer: resolved.issuer,
    audiences: resolved.audiences,
    jwksUri: resolved.jwksUri,

    async verify(token: string): Promise<AuthContext> {
      if (typeof token !== "string" || token.length > resolved.maxTokenBytes || !COMPACT_JWS.test(token)) {
        throw new InvalidTokenError("malformed", describe("malformed"));
      }
      const keys = keySet ?? (await seed());
      const now = Date.now();
      const cached = tokenCache.get(token, now, keys.version);
      if (cached !== undefined) return cached;
      const { payload } = await verifyFully(token, keys, now);
      const context = authContextFromClaims(payload);
      const validUntilMs = Math.min(context.expiresAt * 1000 + toleranceMs, keys.trustedUntilMs);
      tokenCache.set(token, context, keys.version, validUntilMs);
      return context;
    },

    async warm(): Promise<JwksStatus> {
      const keys = keySet ?? (await seed());
      const now = Date.now();
      if (!keys.remote.fresh && !keys.inFailureBackoff(now)) {
        try {
          await keys.remote.reload();
        } catch {
          keys.noteFailure(now);
        }
        if (keys.hasUnpersisted) await keys.persist();
      }
      return keys.status(Date.now());
    },

    status(): JwksStatus {
      return keySet?.status(Date.now()) ?? EMPTY_STATUS;
    },
  });
}
