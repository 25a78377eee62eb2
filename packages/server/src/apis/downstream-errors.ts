/**
 * Why a tool could not call a downstream API as the user. Messages say what to do and never carry
 * a token, a client secret or an authorization server's response body.
 */
export type DownstreamErrorCode =
  | "api_not_declared"
  | "no_user_token"
  | "not_connected"
  | "exchange_refused"
  | "rate_limited"
  | "authorization_server_unavailable"
  | "downstream_unauthorized"
  | "misconfigured";

export class DownstreamError extends Error {
  override readonly name = "DownstreamError";
  readonly code: DownstreamErrorCode;
  /** The declared API's name. */
  readonly api: string;
  /** `rate_limited`: when to try again, in seconds. */
  readonly retryAfterSeconds?: number;
  /** `not_connected`: where the user connects the account (the server's connect flow). */
  readonly connectUrl?: string;
  constructor(code: DownstreamErrorCode, api: string, message: string, extra: { retryAfterSeconds?: number; connectUrl?: string } = {}) {
    super(message);
    this.code = code;
    this.api = api;
    if (extra.retryAfterSeconds !== undefined) this.retryAfterSeconds = extra.retryAfterSeconds;
    if (extra.connectUrl !== undefined) this.connectUrl = extra.connectUrl;
  }
}

export function isDownstreamError(error: unknown): error is DownstreamError {
  return error instanceof DownstreamError;
}
