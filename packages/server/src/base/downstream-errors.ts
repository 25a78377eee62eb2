import { ServerError } from "./errors.ts";

/**
 * Why a tool could not call a downstream API as the user. Messages say what to do and never carry
 * a token, a client secret or an authorization server's response body.
 */
export type DownstreamFailureReason =
  | "api_not_declared"
  | "no_user_token"
  | "not_connected"
  | "exchange_refused"
  | "rate_limited"
  | "authorization_server_unavailable"
  | "downstream_unauthorized"
  | "misconfigured";

/**
 * Part of the package's one error family (`ServerError`, code `downstream_failed`); `reason` says
 * which. A tool's call answers it as a tool result (`mcp/downstream-answers.ts`); one that escapes
 * a tool reaches HTTP as 502 (`http/error-response.ts`).
 */
export class DownstreamError extends ServerError {
  override readonly name = "DownstreamError";
  readonly code = "downstream_failed";
  readonly reason: DownstreamFailureReason;
  /** The declared API's name. */
  readonly api: string;
  /** `rate_limited`: when to try again, in seconds. */
  readonly retryAfterSeconds?: number;
  /** `not_connected`: where the user connects the account (the server's connect flow). */
  readonly connectUrl?: string;
  constructor(reason: DownstreamFailureReason, api: string, message: string, extra: { retryAfterSeconds?: number; connectUrl?: string } = {}) {
    super(message);
    this.reason = reason;
    this.api = api;
    if (extra.retryAfterSeconds !== undefined) this.retryAfterSeconds = extra.retryAfterSeconds;
    if (extra.connectUrl !== undefined) this.connectUrl = extra.connectUrl;
  }
}

export function isDownstreamError(error: unknown): error is DownstreamError {
  return error instanceof DownstreamError;
}
