/**
 * The audit log: one structured JSON line per MCP request and per tool call. Never tokens,
 * secrets or tool arguments (unless a tool opts in with `audit: { arguments: true }`); the
 * session id only as a hash. Workers Logs / Logpush pick the console sink's lines up.
 */
import type { RefusalCause } from "../http/error-response.ts";

export type { RefusalCause };

export type AuditOutcome = "ok" | "denied" | "error" | "rate_limited";

export interface McpRequestAudit {
  readonly type: "mcp_request";
  readonly time: string;
  readonly server: string;
  /** The protocol era the request spoke (`modern` = 2026-07-28 and later), once it could be told. */
  readonly era: "legacy" | "modern" | null;
  /** The `MCP-Protocol-Version` header, when sent. */
  readonly protocolVersion: string | null;
  readonly httpMethod: string;
  /** JSON-RPC methods in the body (POST), e.g. ["tools/call"]. */
  readonly methods: readonly string[];
  /** Tools named by tools/call messages in the body. */
  readonly tools: readonly string[];
  readonly subject: string | null;
  readonly clientId: string | null;
  readonly scopes: readonly string[];
  readonly outcome: AuditOutcome;
  readonly status: number;
  readonly latencyMs: number;
  readonly sessionIdHash: string | null;
  /** `gateway` when the request came through an edge-mcp gateway's service binding (RPC), absent when direct. */
  readonly via?: "gateway";
  /** The W3C trace id the client sent (2026-07-28 `_meta.traceparent`, or the `traceparent` header), when valid. */
  readonly traceId?: string;
  /**
   * On a gateway's line: the backend it relayed the request to. A relayed 2026-07-28 tools/call
   * is audited by this one line (caller, backend, tool) at the gateway, and by the backend's own.
   */
  readonly backend?: string;
  /** Why the request was refused (absent when it was not): what the console's denied-calls chart groups by. */
  readonly refusal?: RefusalCause;
  /** The JSON-RPC error code the refusal answered with, when it answered with one. */
  readonly rpcCode?: number;
}

export interface ToolCallAudit {
  readonly type: "tool_call";
  readonly time: string;
  readonly server: string;
  /** The protocol era of the request that called the tool. */
  readonly era?: "legacy" | "modern";
  readonly tool: string;
  readonly subject: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly outcome: AuditOutcome;
  readonly latencyMs: number;
  readonly sessionIdHash: string | null;
  /** The backend server of a tool relayed by an edge-mcp gateway. */
  readonly backend?: string;
  /** The W3C trace id of the request that called the tool, when the client sent a valid one. */
  readonly traceId?: string;
  /** Present only when the tool opted in. */
  readonly arguments?: unknown;
}

/** A gateway's backend changed state (or failed again): what `/health` shows, in the log. */
export interface BackendStatusAudit {
  readonly type: "backend_status";
  readonly time: string;
  readonly server: string;
  readonly backend: string;
  readonly status: "ok" | "timeout" | "unreachable" | "bad_response" | "misconfigured";
  readonly detail: string | null;
}

export type AuditEvent = McpRequestAudit | ToolCallAudit | BackendStatusAudit;

export interface AuditSink {
  /** May return a promise (a sink that writes over I/O): callers that can wait, do. */
  write(event: AuditEvent): void | Promise<void>;
}

/**
 * The audit line's schema and its version, first on every console line (docs/audit.md): fields are
 * only ever added within a version; a field renamed, retyped or removed means the next version.
 */
export const AUDIT_SCHEMA = "edge-mcp.audit/1";

/** The default sink: one JSON line per event on stdout (Workers Logs, Logpush), with its schema. */
export const consoleAuditSink: AuditSink = Object.freeze({
  write(event: AuditEvent) {
    console.log(JSON.stringify({ schema: AUDIT_SCHEMA, ...event }));
  },
});

/** A sink that keeps events in memory, for tests. */
export function memoryAuditSink(): AuditSink & { readonly events: AuditEvent[] } {
  const events: AuditEvent[] = [];
  return { events, write: (event) => void events.push(event) };
}

/** The first 16 hex digits of a text's SHA-256: tells texts apart in a log line without revealing them. */
export async function shortDigest(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The session id's short digest: correlates lines without revealing the id. */
export async function hashSessionId(sessionId: string | null | undefined): Promise<string | null> {
  if (sessionId === null || sessionId === undefined || sessionId === "") return null;
  return shortDigest(sessionId);
}

/** HTTP status → audit outcome. */
export function outcomeOf(status: number): AuditOutcome {
  if (status === 429) return "rate_limited";
  if (status === 401 || status === 403) return "denied";
  return status < 400 ? "ok" : "error";
}
