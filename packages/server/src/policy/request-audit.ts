import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import { hashSessionId, outcomeOf, type AuditOutcome, type AuditSink, type RefusalCause } from "./audit.ts";
import type { CallerIdentity } from "../base/caller.ts";
import { SERVER_DEFAULTS } from "../base/defaults.ts";
import type { Era } from "../http/era.ts";
import { traceIdOf } from "../base/trace-context.ts";


/** JSON-RPC methods and tool names of a body, for the audit line (never arguments). */
export function describeMessages(messages: readonly JSONRPCMessage[]): { methods: string[]; tools: string[] } {
  const methods: string[] = [];
  const tools: string[] = [];
  for (const m of messages) {
    if (!("method" in m)) continue;
    // Client-chosen strings: bounded, so a request cannot write arbitrarily long audit lines.
    methods.push(m.method.slice(0, SERVER_DEFAULTS.maxAuditNameChars));
    const name = (m.params as { name?: unknown } | undefined)?.name;
    if (m.method === "tools/call" && typeof name === "string") tools.push(name.slice(0, SERVER_DEFAULTS.maxAuditNameChars));
  }
  return { methods, tools };
}

/** The trace id a body's first request carries in its `_meta` (MCP 2026-07-28, SEP-414), when valid. */
export function traceIdOfMessages(messages: readonly JSONRPCMessage[]): string | undefined {
  const first = messages.find((m) => "method" in m);
  return traceIdOf((first?.params as { _meta?: Record<string, unknown> } | undefined)?._meta);
}

/** What one MCP request's audit line is made of, gathered as the request is checked. */
export interface RequestObservation {
  caller?: CallerIdentity;
  rpc?: { methods: string[]; tools: string[] };
  era?: Era;
  /** The request's JSON-RPC id, for error answers. */
  rpcId?: string | number | null;
  /** Set by an interceptor that relayed the request (a gateway): the backend, and whether relaying failed. */
  relayed?: { backend: string; failed: boolean };
  /** The request's W3C trace id, once the body was read (2026-07-28 `_meta`) or from the header. */
  traceId?: string;
  /** Why it was refused, set where the refusal was decided (an error answer, a gateway's rules). */
  refusal?: { cause: RefusalCause; rpcCode?: number };
}

/** A refused answer's cause when nothing named one where it was decided: told by its status. */
function causeOfStatus(status: number): RefusalCause {
  if (status === 401) return "auth";
  if (status === 403) return "scope";
  if (status === 429) return "rate_limit";
  return status >= 500 ? "error" : "invalid";
}

/** Writes the audit line of one MCP request (HTTP or, with `via: "gateway"`, the backend entrypoint). */
export async function writeRequestAudit(
  audit: AuditSink,
  server: string,
  request: Request,
  response: Response,
  seen: RequestObservation,
  started: number,
  via?: "gateway",
): Promise<void> {
  // The one its messages carried, else its `traceparent` header.
  const traceId = seen.traceId ?? traceIdOf(undefined, request.headers.get("traceparent"));
  const refusal = seen.refusal ?? (response.status >= 400 ? { cause: causeOfStatus(response.status) } : undefined);
  // A gateway's rules refuse a tool in a JSON-RPC answer (HTTP 200), exactly as an unknown one.
  const outcome: AuditOutcome = seen.relayed?.failed === true ? "error" : refusal?.cause === "rule" ? "denied" : outcomeOf(response.status);
  await audit.write({
    type: "mcp_request",
    time: new Date(started).toISOString(),
    server,
    era: seen.era ?? null,
    protocolVersion: request.headers.get("mcp-protocol-version")?.slice(0, 32) ?? null,
    httpMethod: request.method,
    methods: seen.rpc?.methods ?? [],
    tools: seen.rpc?.tools ?? [],
    subject: seen.caller?.subject ?? null,
    clientId: seen.caller?.clientId ?? null,
    scopes: seen.caller?.scopes ?? [],
    outcome,
    status: response.status,
    latencyMs: Date.now() - started,
    sessionIdHash: await hashSessionId(response.headers.get("mcp-session-id") ?? request.headers.get("mcp-session-id")),
    ...(via === undefined ? {} : { via }),
    ...(seen.relayed === undefined ? {} : { backend: seen.relayed.backend }),
    ...(traceId === undefined ? {} : { traceId }),
    ...(refusal === undefined ? {} : { refusal: refusal.cause }),
    ...(refusal?.rpcCode === undefined ? {} : { rpcCode: refusal.rpcCode }),
  });
}
