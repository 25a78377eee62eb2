/**
 * Every default of `@edge-mcp/auth`, in one place, with units in the names.
 *
 * The JWKS numbers are handed to jose's `createRemoteJWKSet` explicitly so that a
 * jose upgrade cannot silently change them.
 */
export const AUTH_DEFAULTS = Object.freeze({
  /** Signature algorithms accepted. Auth0 signs access tokens with RS256. */
  algorithms: Object.freeze(["RS256"]) as readonly string[],
  /** Leeway for `exp` / `nbf` against clock skew between Auth0 and the edge, in seconds. */
  clockToleranceSeconds: 5,
  /** Abort a JWKS fetch after this long, in milliseconds (jose `timeoutDuration`). */
  jwksTimeoutMs: 5_000,
  /**
   * After a fetch, an unknown `kid` does not trigger another fetch for this long, in
   * milliseconds (jose `cooldownDuration`). Bounds what a flood of forged `kid`s can cost.
   */
  jwksCooldownMs: 30_000,
  /** Keys are considered fresh for this long and refetched after, in milliseconds (jose `cacheMaxAge`). */
  jwksCacheMaxAgeMs: 600_000,
  /**
   * How long the cross-isolate copy of the JWKS (Cache API or KV) is kept, in seconds.
   * Keys older than `jwksCacheMaxAgeMs` are refetched, but while the JWKS endpoint is down
   * they keep verifying tokens for up to this long (stale-if-error).
   */
  jwksStoreTtlSeconds: 86_400,
  /**
   * After a failed JWKS fetch, do not try again for this long, in milliseconds: meanwhile
   * requests are served from stale keys (or answered 503 at once), never made to wait on a
   * dead endpoint one by one.
   */
  jwksFailureBackoffMs: 5_000,
  /** `Retry-After` sent with a 503 when signing keys are unavailable, in seconds. */
  jwksUnavailableRetryAfterSeconds: 5,
  /** Tokens remembered after full verification (per isolate), in entries; 0 disables. */
  verifiedTokenCacheSize: 1_000,
  /**
   * How long an isolate keeps accepting an edge-facade token it has already checked, in seconds
   * (`createFacadeTokenVerifier`): the longest a revoked facade token keeps working, traded
   * against one service-binding RPC per request — about half the throughput without it, parity with
   * it (bench/facade-token.ts; docs/sign-in.md, "Token design").
   */
  facadeTokenCacheSeconds: 5,
  /**
   * How long a facade token the facade called inactive is answered 401 without asking again, in
   * seconds: a client retrying with a dead token, or anyone sending made-up ones, costs the facade
   * (an RPC and a KV read) once per window. A token is never inactive first and active later.
   */
  facadeRefusedCacheSeconds: 5,
  /** Refused facade tokens remembered (per isolate), in entries; the oldest go first. */
  facadeRefusedCacheSize: 1_000,
  /** How long `/health`'s answer about the facade's reachability is reused, in seconds. */
  facadeHealthCacheSeconds: 10,
  /** Largest `Authorization` header value and token accepted, in bytes (8 KiB). */
  maxTokenBytes: 8_192,
  /**
   * Largest form body (`application/x-www-form-urlencoded`) read before authentication to see
   * whether it smuggles an `access_token` (RFC 6750 §2.2), in bytes (16 KiB). A larger one is
   * refused unread: an unauthenticated request must not make the isolate buffer megabytes.
   */
  maxFormBodyBytes: 16_384,
});
