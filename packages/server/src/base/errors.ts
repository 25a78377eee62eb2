// DownstreamError (its own file: its reasons and fields) is a member of this family.
import type { DownstreamError } from "./downstream-errors.ts";

/**
 * The one error family of `@edge-mcp/server`: everything the HTTP layer can refuse, each with
 * a stable `code`. `error-response.ts` is the only place these become HTTP responses.
 */
export type ServerErrorCode =
  | "origin_not_allowed"
  | "host_not_allowed"
  | "body_too_large"
  | "unsupported_media_type"
  | "not_acceptable"
  | "parse_error"
  | "invalid_request"
  | "unsupported_protocol_version"
  | "session_required"
  | "session_not_found"
  | "method_not_allowed"
  | "not_found"
  | "rate_limited"
  | "missing_client_capability"
  | "too_many_tasks"
  | "too_many_listeners"
  | "misconfigured"
  | "downstream_failed";

export abstract class ServerError extends Error {
  abstract readonly code: ServerErrorCode;
  override readonly name: string = "ServerError";
}

export class OriginNotAllowedError extends ServerError {
  readonly code = "origin_not_allowed";
}
export class HostNotAllowedError extends ServerError {
  readonly code = "host_not_allowed";
}
export class BodyTooLargeError extends ServerError {
  readonly code = "body_too_large";
}
export class UnsupportedMediaTypeError extends ServerError {
  readonly code = "unsupported_media_type";
}
export class NotAcceptableError extends ServerError {
  readonly code = "not_acceptable";
}
/** JSON-RPC -32700: the body is not JSON, or not JSON-RPC. */
export class ParseError extends ServerError {
  readonly code = "parse_error";
}
/** JSON-RPC -32600: valid JSON-RPC that this endpoint will not take (e.g. a batch bomb). */
export class InvalidJsonRpcRequestError extends ServerError {
  readonly code = "invalid_request";
}
export class UnsupportedProtocolVersionError extends ServerError {
  readonly code = "unsupported_protocol_version";
}
export class SessionRequiredError extends ServerError {
  readonly code = "session_required";
}
/** Unknown, ended, evicted — or another user's — session: all look the same from outside. */
export class SessionNotFoundError extends ServerError {
  readonly code = "session_not_found";
  constructor(message = "Session not found; start a new session with initialize.") {
    super(message);
  }
}
export class MethodNotAllowedError extends ServerError {
  readonly code = "method_not_allowed";
  readonly allow: string;
  constructor(allow: string, message: string) {
    super(message);
    this.allow = allow;
  }
}
export class NotFoundError extends ServerError {
  readonly code = "not_found";
}
/** Over the server's request limit for this user or client: 429 with Retry-After, nothing executed. */
export class RateLimitedError extends ServerError {
  readonly code = "rate_limited";
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super(`Rate limit exceeded; retry in ${retryAfterSeconds} s.`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * JSON-RPC -32021 (MCP 2026-07-28, SEP-2575 "Missing Required Client Capabilities"): the request
 * cannot be served without a capability the client did not declare; `requiredCapabilities`
 * names it in the shape of the client's capabilities.
 */
export class MissingClientCapabilityError extends ServerError {
  readonly code = "missing_client_capability";
  readonly requiredCapabilities: Readonly<Record<string, unknown>>;
  constructor(message: string, requiredCapabilities: Readonly<Record<string, unknown>>) {
    super(message);
    this.requiredCapabilities = requiredCapabilities;
  }
}

/** The caller has as many unfinished tasks as the server allows one subject: 429, nothing created. */
export class TooManyTasksError extends ServerError {
  readonly code = "too_many_tasks";
  readonly retryAfterSeconds: number;
  constructor(limit: number, retryAfterSeconds: number) {
    super(`You have ${limit} unfinished tasks, the most this server allows: wait for one to finish, or cancel one (tasks/cancel).`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The caller holds as many open listeners (listen streams, session GET streams) as allowed: 429. */
export class TooManyListenersError extends ServerError {
  readonly code = "too_many_listeners";
  readonly retryAfterSeconds: number;
  constructor(limit: number, retryAfterSeconds: number) {
    super(`You have ${limit} open listening streams, the most this server allows: close one first.`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A Worker env variable is missing or bad. The message names the variable, never its value. */
export class MisconfiguredError extends ServerError {
  readonly code = "misconfigured";
}

export type ServerFailure =
  | OriginNotAllowedError
  | HostNotAllowedError
  | BodyTooLargeError
  | UnsupportedMediaTypeError
  | NotAcceptableError
  | ParseError
  | InvalidJsonRpcRequestError
  | UnsupportedProtocolVersionError
  | SessionRequiredError
  | SessionNotFoundError
  | MethodNotAllowedError
  | NotFoundError
  | RateLimitedError
  | MissingClientCapabilityError
  | TooManyTasksError
  | TooManyListenersError
  | MisconfiguredError
  | DownstreamError;

export function isServerFailure(value: unknown): value is ServerFailure {
  return value instanceof ServerError;
}
