// The whole public surface of @edge-mcp/auth. Re-exports only.
export type { AuthContext } from "./auth-context.ts";
export { authErrorHttp, authErrorResponse, type AuthErrorHttp, type ChallengeContext } from "./auth-error-response.ts";
export { readBoundedText } from "./bounded-body.ts";
export { AUTH_DEFAULTS } from "./defaults.ts";
export {
  AuthError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  JwksUnavailableError,
  MissingTokenError,
  isAuthFailure,
  type AuthErrorCode,
  type AuthFailure,
  type InvalidTokenReason,
} from "./errors.ts";
export { extractBearerToken, type ExtractBearerOptions } from "./extract-bearer-token.ts";
export { cacheApiJwksStore, kvJwksStore, type CacheLike, type JwksStore, type KvLike, type StoredJwks } from "./jwks-store.ts";
export type { JwksStatus } from "./key-set.ts";
export {
  createProtectedResourceMetadata,
  protectedResourceMetadataUrl,
  type ProtectedResourceMetadata,
  type ProtectedResourceMetadataOptions,
} from "./protected-resource-metadata.ts";
export { requireAuth, type AuthEnv, type RequireAuthOptions } from "./require-auth.ts";
export {
  SCOPES,
  OPERATOR_SCOPE,
  SCOPE_PROFILES,
  PROTOCOL_SCOPES,
  effectiveScopes,
  hasScopes,
  missingScopes,
  requireScopes,
  resourceScopes,
  type BuiltInScope,
  type ScopeProfile,
} from "./scopes.ts";
export { createTokenVerifier, type TokenVerifier } from "./verify-access-token.ts";
export {
  createFacadeTokenVerifier,
  type FacadeTokenValidator,
  type FacadeTokenVerifier,
  type FacadeVerifierOptions,
} from "./verify-facade-token.ts";
export type { TokenVerifierOptions } from "./verifier-options.ts";
export { ResourceUrlSchema, SecureUrlSchema } from "./secure-url.ts";
export { buildWwwAuthenticate, type BearerChallenge } from "./www-authenticate.ts";
export { discoverAuthorizationServer, type AuthorizationServerEndpoints } from "./authorization-server-metadata.ts";
export { createPkce, randomToken } from "./pkce.ts";
export { open as openSealed, seal, type CookiePurpose } from "./sealed-cookie.ts";
