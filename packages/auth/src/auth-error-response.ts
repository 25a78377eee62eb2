import { AUTH_DEFAULTS } from "./defaults.ts";
import type { AuthFailure } from "./errors.ts";
import { buildWwwAuthenticate } from "./www-authenticate.ts";

/** What a challenge needs to know about the resource. */
export interface ChallengeContext {
  /** RFC 9728 §5.1: included in every challenge so clients can discover the authorization server. */
  resourceMetadataUrl: string;
  /** Scopes a client should request, advertised in 401 challenges (MCP 2025-11-25 scope selection). */
  scopes?: readonly string[];
  realm?: string;
}

export interface AuthErrorHttp {
  readonly status: 400 | 401 | 403 | 503;
  readonly headers: Readonly<Record<string, string>>;
  /** OAuth-style body: `{ error, error_description }` (+ `reason` for invalid tokens). */
  readonly body: Readonly<Record<string, string>>;
}

/**
 * The one place an auth failure becomes HTTP (RFC 6750 §3.1, MCP authorization §"Error handling"):
 * - `missing_token` → 401, challenge without `error` (RFC 6750 §3.1: no credentials were sent);
 * - `invalid_request` → 400 `error="invalid_request"`;
 * - `invalid_token` → 401 `error="invalid_token"`;
 * - `insufficient_scope` → 403 `error="insufficient_scope"`, `scope` = every scope needed (step-up);
 * - `jwks_unavailable` → 503 with `Retry-After`: our problem, not the client's token.
 */
export function authErrorHttp(error: AuthFailure, context: ChallengeContext): AuthErrorHttp {
  const base = { resourceMetadata: context.resourceMetadataUrl, realm: context.realm };
  const headers = (challenge: string): Record<string, string> => ({
    "www-authenticate": challenge,
    "cache-control": "no-store",
    "content-type": "application/json",
  });
  switch (error.code) {
    case "missing_token":
      return {
        status: 401,
        headers: headers(buildWwwAuthenticate({ ...base, scope: context.scopes })),
        body: { error: "unauthorized", error_description: error.message },
      };
    case "invalid_request":
      return {
        status: 400,
        headers: headers(buildWwwAuthenticate({ ...base, error: "invalid_request", errorDescription: error.message })),
        body: { error: "invalid_request", error_description: error.message },
      };
    case "invalid_token":
      return {
        status: 401,
        headers: headers(
          buildWwwAuthenticate({ ...base, error: "invalid_token", errorDescription: error.message, scope: context.scopes }),
        ),
        body: { error: "invalid_token", error_description: error.message, reason: error.reason },
      };
    case "insufficient_scope":
      return {
        status: 403,
        headers: headers(
          buildWwwAuthenticate({
            ...base,
            error: "insufficient_scope",
            errorDescription: error.message,
            scope: error.requiredScopes,
          }),
        ),
        body: { error: "insufficient_scope", error_description: error.message, scope: error.requiredScopes.join(" ") },
      };
    case "jwks_unavailable":
      return {
        status: 503,
        headers: {
          "retry-after": String(AUTH_DEFAULTS.jwksUnavailableRetryAfterSeconds),
          "cache-control": "no-store",
          "content-type": "application/json",
        },
        body: { error: "temporarily_unavailable", error_description: error.message },
      };
  }
}

/** `authErrorHttp` as a `Response` with a JSON body. */
export function authErrorResponse(error: AuthFailure, context: ChallengeContext): Response {
  const http = authErrorHttp(error, context);
  return new Response(JSON.stringify(http.body), { status: http.status, headers: http.headers });
}
