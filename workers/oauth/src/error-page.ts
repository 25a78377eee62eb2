import { escapeHtml, pageSecurityHeaders } from "./consent-page.ts";
import { FacadeError } from "./errors.ts";

const STATUS: Record<FacadeError["code"], number> = {
  misconfigured: 500,
  client_id_refused: 400,
  upstream_failed: 502,
  rate_limited: 429,
  body_too_large: 413,
  unsupported_media_type: 415,
};

/** The OAuth error code (RFC 6749 §5.2, RFC 7591 §3.2.2) a JSON caller gets for each. */
const OAUTH_ERROR: Record<FacadeError["code"], string> = {
  misconfigured: "server_error",
  client_id_refused: "invalid_client",
  upstream_failed: "server_error",
  rate_limited: "temporarily_unavailable",
  body_too_large: "invalid_request",
  unsupported_media_type: "invalid_request",
};

/** A page for the user's browser (never a redirect: the client or its redirect URI is not trusted). */
export function errorPage(status: number, message: string, extra?: HeadersInit): Response {
  const headers = pageSecurityHeaders(new Headers(extra), { formAction: "'none'", inlineStyles: false });
  return new Response(`<!doctype html><meta charset="utf-8"><title>Sign-in problem</title><h1>Sign-in problem</h1><p id="error">${escapeHtml(message)}</p>`, { status, headers });
}

/**
 * The one mapping of the facade's own errors to HTTP. JSON for API callers (registration, token
 * endpoint), a page for browsers. The message never carries a secret or a token.
 */
export function facadeErrorResponse(error: FacadeError, wantsJson: boolean): Response {
  const status = STATUS[error.code];
  const headers: Record<string, string> = error.retryAfterSeconds === undefined ? {} : { "retry-after": String(error.retryAfterSeconds) };
  if (wantsJson) {
    const code = OAUTH_ERROR[error.code];
    return Response.json({ error: code, error_description: error.message }, { status, headers: { ...headers, "cache-control": "no-store" } });
  }
  return errorPage(status, error.message, headers);
}
