import { authErrorHttp, isAuthFailure, type AuthFailure, type ChallengeContext } from "@edge-mcp/auth";
import type { ServerFailure } from "../base/errors.ts";

/** JSON-RPC 2.0 error codes used at the HTTP layer (the SDK uses -32001 for unknown sessions). */
const JSONRPC = { parseError: -32700, invalidRequest: -32600, serverError: -32000, sessionNotFound: -32001, missingClientCapability: -32021 } as const;

const STATUS: Record<ServerFailure["code"], { status: number; rpc: number }> = {
  origin_not_allowed: { status: 403, rpc: JSONRPC.serverError },
  host_not_allowed: { status: 403, rpc: JSONRPC.serverError },
  body_too_large: { status: 413, rpc: JSONRPC.serverError },
  unsupported_media_type: { status: 415, rpc: JSONRPC.serverError },
  not_acceptable: { status: 406, rpc: JSONRPC.serverError },
  parse_error: { status: 400, rpc: JSONRPC.parseError },
  invalid_request: { status: 400, rpc: JSONRPC.invalidRequest },
  unsupported_protocol_version: { status: 400, rpc: JSONRPC.serverError },
  session_required: { status: 400, rpc: JSONRPC.serverError },
  session_not_found: { status: 404, rpc: JSONRPC.sessionNotFound },
  method_not_allowed: { status: 405, rpc: JSONRPC.serverError },
  not_found: { status: 404, rpc: JSONRPC.serverError },
  rate_limited: { status: 429, rpc: JSONRPC.serverError },
  too_many_tasks: { status: 429, rpc: JSONRPC.serverError },
  too_many_listeners: { status: 429, rpc: JSONRPC.serverError },
  // MCP 2026-07-28 (SEP-2575): -32021 is answered with HTTP 400 wherever it arises.
  missing_client_capability: { status: 400, rpc: JSONRPC.missingClientCapability },
  misconfigured: { status: 500, rpc: JSONRPC.serverError },
  // A downstream API failure outside a tool call (tools answer it as a tool result): a bad gateway.
  downstream_failed: { status: 502, rpc: JSONRPC.serverError },
};

/**
 * Why a request was refused: no or a bad token (`auth`), a missing scope, a gateway's rules, a
 * rate limit or budget, a browser origin or host, a malformed or unsupported request (`invalid`),
 * or a server fault (`error`). On audit lines (`refusal`) and metric points.
 */
export type RefusalCause = "auth" | "scope" | "rule" | "rate_limit" | "origin" | "invalid" | "error";

const CAUSE: Partial<Record<ServerFailure["code"], RefusalCause>> = {
  origin_not_allowed: "origin",
  host_not_allowed: "origin",
  rate_limited: "rate_limit",
  too_many_tasks: "rate_limit",
  too_many_listeners: "rate_limit",
  misconfigured: "error",
  downstream_failed: "error",
};

/** Why a refusal refused, and the JSON-RPC code it answers with (auth failures answer in OAuth's shape: none). */
export function refusalOf(error: ServerFailure | AuthFailure): { cause: RefusalCause; rpcCode?: number } {
  if (isAuthFailure(error)) return { cause: error.code === "insufficient_scope" ? "scope" : error.code === "jwks_unavailable" ? "error" : "auth" };
  return { cause: CAUSE[error.code] ?? "invalid", rpcCode: STATUS[error.code].rpc };
}

/** A JSON-RPC request id, or null when it could not be read (JSON-RPC 2.0 §5). */
export type RpcId = string | number | null;

/**
 * The id an error answers: the request's, when the body held exactly one request; otherwise
 * null (a batch, a notification, or a body that could not be parsed — JSON-RPC 2.0 §5).
 */
export function rpcIdOf(messages: ReadonlyArray<object> | undefined): RpcId {
  if (messages?.length !== 1) return null;
  const only = messages[0] as { id?: unknown; method?: unknown };
  return typeof only.method === "string" && (typeof only.id === "string" || typeof only.id === "number") ? only.id : null;
}

/**
 * The one place a refusal becomes HTTP. Auth failures keep `@edge-mcp/auth`'s mapping
 * (401/400/403/503 with RFC 6750 challenges); everything else is a JSON-RPC error body with the
 * request's id when it could be read, and the status the MCP Streamable HTTP transport specifies.
 */
export function errorResponse(error: ServerFailure | AuthFailure, challenge: ChallengeContext, id: RpcId = null): Response {
  if (isAuthFailure(error)) {
    const http = authErrorHttp(error, challenge);
    return new Response(JSON.stringify(http.body), { status: http.status, headers: http.headers });
  }
  const { status, rpc } = STATUS[error.code];
  const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
  if (error.code === "method_not_allowed") headers.allow = error.allow;
  if (error.code === "rate_limited" || error.code === "too_many_tasks" || error.code === "too_many_listeners") headers["retry-after"] = String(error.retryAfterSeconds);
  const data = error.code === "missing_client_capability" ? { code: error.code, requiredCapabilities: error.requiredCapabilities } : { code: error.code };
  const body = { jsonrpc: "2.0", id, error: { code: rpc, message: error.message, data } };
  return new Response(JSON.stringify(body), { status, headers });
}
