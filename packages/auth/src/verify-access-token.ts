import { decodeProtectedHeader, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions, type JWTVerifyResult } from "jose";
import type { AuthContext } from "./auth-context.ts";
import { coalesce } from "./coalesce.ts";
import { InvalidTokenError, JwksUnavailableError } from "./errors.ts";
import { JwksFetchError } from "./jwks-fetch.ts";
import { defaultJwksStore, type JwksStore, type StoredJwks } from "./jwks-store.ts";
import { KeySet, type JwksStatus } from "./key-set.ts";
import { describe, mapJoseError } from "./map-jose-error.ts";
import { authContextFromClaims } from "./token-claims.ts";
import { resolveVerifierOptions, type TokenVerifierOptions } from "./verifier-options.ts";

export interface TokenVerifier {
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

/** A compact JWS: three base64url segments (a JWE or anything else is not an access token here). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Create one verifier per isolate (module scope) and reuse it: its JWKS cache lives inside.
 * Building one per request — as Auth0's own sample does — refetches keys on every request.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const resolved = resolveVerifierOptions(options);
  const store: JwksStore | undefined = resolved.store === null ? undefined : (resolved.store ?? defaultJwksStore());
  const verifyOptions: JWTVerifyOptions = {
    issuer: resolved.issuer,
    audience: [...resolved.audiences],
    algorithms: [...resolved.algorithms],
    clockTolerance: resolved.clockToleranceSeconds,
    requiredClaims: ["exp", "sub"],
  };

  let keySet: KeySet | undefined;
  // Seeding reads the store once per isolate; concurrent first requests share the read.
  const seed = coalesce(async (): Promise<KeySet> => {
    if (keySet !== undefined) return keySet;
    let stored: StoredJwks | undefined;
    try {
      stored = await store?.read(resolved.jwksUri);
    } catch {
      stored = undefined; // a broken store must not break verification
    }
    keySet ??= new KeySet(resolved, store, stored);
    return keySet;
  }, resolved.jwksTimeoutMs);
  const getKeySet = async (): Promise<KeySet> => keySet ?? (await seed());

  async function verifyWith(token: string, keys: JWTVerifyGetKey): Promise<JWTVerifyResult> {
    try {
      return await jwtVerify(token, keys, verifyOptions);
    } catch (error) {
      if (error instanceof JwksFetchError) throw error;
      throw mapJoseError(error) ?? error;
    }
  }

  return Object.freeze({
    issuer: resolved.issuer,
    audiences: resolved.audiences,
    jwksUri: resolved.jwksUri,

    async verify(token: string): Promise<AuthContext> {
      checkShape(token, resolved.maxTokenBytes, resolved.algorithms);
      const keys = await getKeySet();
      let result: JWTVerifyResult;
      try {
        result = await verifyWith(token, keys.remote);
      } catch (error) {
        if (!(error instanceof JwksFetchError)) throw error;
        // The endpoint is down: keys we already had keep working (stale-if-error).
        keys.noteFailure();
        const fallback = keys.staleFallback();
        if (fallback === undefined) {
          throw new JwksUnavailableError("The authorization server's signing keys are unavailable; try again shortly.", { cause: error });
        }
        result = await verifyWith(token, fallback);
      } finally {
        await keys.persistIfChanged();
      }
      return authContextFromClaims(result.payload);
    },

    async warm(): Promise<JwksStatus> {
      const keys = await getKeySet();
      if (!keys.remote.fresh) {
        try {
          await keys.remote.reload();
        } catch {
          keys.noteFailure();
        }
        await keys.persistIfChanged();
      }
      return keys.status();
    },

    status(): JwksStatus {
      return keySet?.status() ?? { state: "empty", keyCount: 0, fetchedAt: undefined, ageSeconds: undefined, lastFailureAt: undefined };
    },
  });
}

/**
 * Cheap structural checks before any key lookup or crypto, so garbage never costs a JWKS
 * fetch: size, compact-JWS shape, a decodable header, an allowed `alg` (this is what stops
 * `alg: none` and HS256-with-the-public-key), and a `kid` to select the key by.
 */
function checkShape(token: string, maxTokenBytes: number, algorithms: readonly string[]): void {
  if (typeof token !== "string" || token.length === 0 || token.length > maxTokenBytes || !COMPACT_JWS.test(token)) {
    throw new InvalidTokenError("malformed", describe("malformed"));
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new InvalidTokenError("malformed", describe("malformed"));
  }
  if (typeof header.alg !== "string" || !algorithms.includes(header.alg)) {
    throw new InvalidTokenError("unsupported_alg", describe("unsupported_alg"));
  }
  if (typeof header.kid !== "string" || header.kid === "") {
    throw new InvalidTokenError("unknown_key", "The access token does not name its signing key (kid).");
  }
  if (header.crit !== undefined) {
    // RFC 7515 §4.1.11: we understand no critical extensions, so the token must be rejected.
    throw new InvalidTokenError("malformed", describe("malformed"));
  }
}
