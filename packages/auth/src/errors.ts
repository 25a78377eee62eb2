/**
 * The one error family of `@edge-mcp/auth`.
 *
 * Each failure has a stable `code` (and, for `invalid_token`, a `reason`) that callers
 * switch on; `message` is for humans and never contains the token. Mapping to HTTP
 * happens in exactly one place: `auth-error-response.ts`.
 */

export type AuthErrorCode =
  | "missing_token"
  | "invalid_request"
  | "invalid_token"
  | "insufficient_scope"
  | "jwks_unavailable";

/** Why a token was rejected. Stable: logged, counted and tested. */
export type InvalidTokenReason =
  | "expired"
  | "not_yet_valid"
  | "bad_signature"
  | "wrong_issuer"
  | "wrong_audience"
  | "unsupported_alg"
  | "unknown_key"
  | "malformed"
  | "invalid_claims"
  /** An opaque token its authorization server does not know as active here (unknown, expired, revoked, or another resource's). */
  | "inactive";

export abstract class AuthError extends Error {
  abstract readonly code: AuthErrorCode;
  override readonly name: string = "AuthError";
}

/** No bearer credentials at all (RFC 6750 §3.1: the challenge carries no `error`). */
export class MissingTokenError extends AuthError {
  readonly code = "missing_token";
  constructor(message = "No bearer token was sent.") {
    super(message);
  }
}

/** The request carried credentials in a way RFC 6750 does not allow, or malformed. */
export class InvalidRequestError extends AuthError {
  readonly code = "invalid_request";
}

export class InvalidTokenError extends AuthError {
  readonly code = "invalid_token";
  readonly reason: InvalidTokenReason;
  constructor(reason: InvalidTokenReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

export class InsufficientScopeError extends AuthError {
  readonly code = "insufficient_scope";
  /** Every scope the operation needs (RFC 6750 §3: the `scope` of the step-up challenge). */
  readonly requiredScopes: readonly string[];
  constructor(requiredScopes: readonly string[], message?: string) {
    super(message ?? `This operation needs the scopes: ${requiredScopes.join(" ")}.`);
    this.requiredScopes = Object.freeze([...requiredScopes]);
  }
}

/**
 * Keys could not be had, or the authorization server that validates opaque tokens did not
 * answer: a server-side failure (503), never blamed on the client's token.
 */
export class JwksUnavailableError extends AuthError {
  readonly code = "jwks_unavailable";
}

/** The discriminated union over every auth failure: `switch (err.code)` is exhaustive. */
export type AuthFailure =
  | MissingTokenError
  | InvalidRequestError
  | InvalidTokenError
  | InsufficientScopeError
  | JwksUnavailableError;

export function isAuthFailure(value: unknown): value is AuthFailure {
  return value instanceof AuthError;
}
