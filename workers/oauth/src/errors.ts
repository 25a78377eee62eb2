/**
 * The one error family of the facade's own code (the library answers OAuth protocol errors
 * itself). Mapped to HTTP in exactly one place: `errorPage` in error-page.ts.
 */
export type FacadeErrorCode =
  /** The env is wrong: 500, naming the variable. */
  | "misconfigured"
  /** A CIMD client id the facade will not fetch (SSRF guard): 400. */
  | "client_id_refused"
  /** Auth0 did not answer, or answered something unusable: 502. */
  | "upstream_failed"
  /** Too many dynamic registrations (or sign-in starts) from one address: 429. */
  | "rate_limited"
  /** A POST body over the limit, declared or streamed: 413, unread. */
  | "body_too_large"
  /** A POST body of another content type than the endpoint takes: 415. */
  | "unsupported_media_type";

export class FacadeError extends Error {
  override readonly name = "FacadeError";
  readonly code: FacadeErrorCode;
  readonly retryAfterSeconds: number | undefined;
  constructor(code: FacadeErrorCode, message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(message, options);
    this.code = code;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}
