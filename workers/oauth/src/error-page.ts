import { escapeHtml, pageSecurityHeaders } from "./consent-page.ts";
import { FacadeError } from "./errors.ts";

const STATUS: Record<FacadeError["code"], number> = {
  misconfigured: 500,
  client_id_refused: 400,
  upstream_failed: 502,
  rate_limited: 429,
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
    const code = error.code === "rate_limited" ? "temporarily_unavailable" : error.code === "client_id_refused" ? "invalid_client" : "server_error";
    return Response.json({ error: code, error_description: error.message }, { status, headers: { ...headers, "cache-control": "no-store" } });
  }
  return errorPage(status, error.message, headers);
}
