import { z } from "zod";
import type { AuthContext } from "./auth-context.ts";
import { AUTH_DEFAULTS } from "./defaults.ts";
import { InvalidTokenError, JwksUnavailableError } from "./errors.ts";
import { describe } from "./map-jose-error.ts";
import { optionError } from "./option-error.ts";
import { resourceScopes } from "./scopes.ts";
import { ResourceUrlSchema, SecureUrlSchema } from "./secure-url.ts";
import { RefusedTokenCache } from "./refused-token-cache.ts";
import { VerifiedTokenCache } from "./verified-token-cache.ts";

/**
 * What the edge OAuth facade (`workers/oauth`, on `@cloudflare/workers-oauth-provider`) answers
 * over its service binding: `OAuthAuthorizationServer.validateToken(resource, token)` — the
 * token's record, or null when it is not active for that resource.
 */
export interface FacadeTokenValidator {
  validateToken(resource: string, token: string): Promise<unknown>;
}

/** The library's `ValidatedAccessToken`, checked at the boundary (an RPC answer is input too). */
const ValidatedSchema = z.object({
  audience: z.string(),
  expiresAt: z.number().finite(),
  scope: z.array(z.string()),
  userId: z.string().min(1),
  clientId: z.string().min(1),
});

const OptionsSchema = z.object({
  /** The facade's issuer (RFC 8414), named in protected resource metadata. */
  issuer: SecureUrlSchema,
  /** This server's canonical resource: the only audience accepted. */
  resource: ResourceUrlSchema,
  validator: z.custom<FacadeTokenValidator>(
    (v) => typeof v === "object" && v !== null && typeof (v as FacadeTokenValidator).validateToken === "function",
    "must be the facade's service binding (an object with validateToken)",
  ),
  cacheSeconds: z.number().int().min(0).max(300).optional(),
  cacheSize: z.number().int().min(0).optional(),
});

export type FacadeVerifierOptions = z.input<typeof OptionsSchema>;

export interface FacadeTokenVerifier {
  readonly kind: "facade";
  readonly issuer: string;
  readonly resource: string;
  /**
   * Asks the facade whether the token is active for this resource (one RPC over the service
   * binding; the facade reads its KV record). Throws `InvalidTokenError` (401, reason
   * `inactive`) or `JwksUnavailableError` (503) when the facade cannot answer.
   */
  verify(token: string): Promise<AuthContext>;
  /** Whether the facade answers over the binding right now (a token no one holds; never throws). For `/health`. */
  reachable(): Promise<boolean>;
}

/** No key set stands behind an opaque token: one constant version, cache entries end by time alone. */
const NO_KEYS = 0;

/** The facade's tokens are `userId:grantId:secret` (printable, no spaces); anything else is not one. */
const OPAQUE_TOKEN = /^[\x21-\x7E]+$/;

/**
 * A verifier for the facade's opaque access tokens. Unlike a JWT, such a token says nothing by
 * itself: only the authorization server holding its record can tell whether it is active, which
 * is what makes revocation (a logout, a rotated refresh token's family revoked) take effect.
 *
 * `cacheSeconds` (default `AUTH_DEFAULTS.facadeTokenCacheSeconds`) bounds how long an isolate may
 * go on accepting a token it has already checked: the one window in which a revoked token still
 * works. 0 asks the facade on every request.
 */
export function createFacadeTokenVerifier(options: FacadeVerifierOptions): FacadeTokenVerifier {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw optionError("createFacadeTokenVerifier", parsed.error);
  const { issuer, resource, validator } = parsed.data;
  const cacheMs = (parsed.data.cacheSeconds ?? AUTH_DEFAULTS.facadeTokenCacheSeconds) * 1000;
  const cache = new VerifiedTokenCache(cacheMs > 0 ? (parsed.data.cacheSize ?? AUTH_DEFAULTS.verifiedTokenCacheSize) : 0);
  const refused = new RefusedTokenCache(AUTH_DEFAULTS.facadeRefusedCacheSize);
  let health: { readonly untilMs: number; readonly reachable: Promise<boolean> } | undefined;

  async function ask(token: string): Promise<unknown> {
    try {
      // Called as a method: an RPC stub's methods are not detachable functions.
      return await validator.validateToken(resource, token);
    } catch (error) {
      throw new JwksUnavailableError("The authorization server could not check the access token; try again shortly.", { cause: error });
    }
  }

  return Object.freeze({
    kind: "facade" as const,
    issuer,
    resource,
    reachable(): Promise<boolean> {
      // One probe per window however often /health is asked (it is public): each costs the facade an RPC and a KV read.
      const now = Date.now();
      if (health === undefined || now >= health.untilMs) {
        const reachable = ask(`health:${crypto.randomUUID()}:check`).then(() => true, () => false);
        health = { untilMs: now + AUTH_DEFAULTS.facadeHealthCacheSeconds * 1000, reachable };
      }
      return health.reachable;
    },
    async verify(token: string): Promise<AuthContext> {
      if (typeof token !== "string" || token.length > AUTH_DEFAULTS.maxTokenBytes || !OPAQUE_TOKEN.test(token)) {
        throw new InvalidTokenError("malformed", describe("malformed"));
      }
      const now = Date.now();
      const hit = cache.get(token, now, NO_KEYS);
      if (hit !== undefined) return hit;
      if (refused.has(token, now)) throw new InvalidTokenError("inactive", describe("inactive"));
      const answer = await ask(token);
      if (answer === null || answer === undefined) {
        refused.add(token, now + AUTH_DEFAULTS.facadeRefusedCacheSeconds * 1000);
        throw new InvalidTokenError("inactive", describe("inactive"));
      }
      const record = ValidatedSchema.safeParse(answer);
      if (!record.success) throw new JwksUnavailableError("The authorization server's answer about the access token was not understood.");
      const { audience, expiresAt, scope, userId, clientId } = record.data;
      // The facade already binds tokens to one resource; checked again here (RFC 8707 §2, MCP: a
      // server accepts only tokens issued for itself), so a misrouted binding cannot widen it.
      if (audience !== resource) throw new InvalidTokenError("wrong_audience", describe("wrong_audience"));
      if (expiresAt * 1000 <= now) throw new InvalidTokenError("expired", describe("expired"));
      const scopes = resourceScopes(scope);
      const context: AuthContext = Object.freeze({
        subject: userId,
        clientId,
        scopes,
        expiresAt,
        claims: Object.freeze({ iss: issuer, sub: userId, aud: audience, exp: expiresAt, client_id: clientId, scope: scopes.join(" "), permissions: [...scopes] }),
      });
      cache.set(token, context, NO_KEYS, Math.min(now + cacheMs, expiresAt * 1000));
      return context;
    },
  });
}
