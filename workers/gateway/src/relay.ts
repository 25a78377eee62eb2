import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCResultResponse,
  PROTOCOL_VERSION_META_KEY,
  type JSONRPCMessage,
  type JSONRPCNotification,
} from "@modelcontextprotocol/server";
import type { CallerIdentity } from "@edge-mcp/server";
import { EventSourceParserStream } from "eventsource-parser/stream";
import type { BackendTarget } from "./backend-target.ts";
import { capabilitiesForBackend } from "./client-capabilities.ts";

/** The protocol revision the gateway speaks to backends: stateless, so any isolate can call any backend. */
export const BACKEND_PROTOCOL_VERSION = "2026-07-28";

/** Longest backend response the gateway reads (a JSON body or one SSE event), in bytes. */
const MAX_BACKEND_MESSAGE_BYTES = 4 * 1_048_576;

export type RelayOutcome =
  | { readonly kind: "result"; readonly result: Record<string, unknown> }
  | { readonly kind: "error"; readonly code: number; readonly message: string; readonly data?: unknown };

/** Why a backend could not answer: down, too slow, or it broke the protocol. Never carries a token. */
export class BackendUnavailableError extends Error {
  override readonly name = "BackendUnavailableError";
  readonly backend: string;
  readonly reason: "timeout" | "unreachable" | "bad_response";
  constructor(backend: string, reason: "timeout" | "unreachable" | "bad_response", detail: string) {
    super(`Backend "${backend}" ${reason === "timeout" ? "did not answer in time" : reason === "unreachable" ? "is unreachable" : "sent an invalid response"}: ${detail}`);
    this.backend = backend;
    this.reason = reason;
  }
}

export interface RelayRequest {
  readonly method: string;
  /** Params without `_meta`'s envelope keys (added here). */
  readonly params: Record<string, unknown>;
  /** The client's `_meta` to pass on (progressToken, log level, trace context), envelope keys excluded. */
  readonly meta?: Record<string, unknown>;
  /** The client's declared capabilities: a backend asks only for input the client can give. */
  readonly clientCapabilities?: Record<string, unknown>;
  readonly caller: CallerIdentity;
  readonly signal: AbortSignal;
  /** How long the backend may take to start answering (response headers), in milliseconds. */
  readonly timeoutMs?: number;
  /** Progress and log notifications of this request, relayed as they arrive. */
  readonly onNotification?: (notification: JSONRPCNotification) => Promise<void> | void;
}

/** The 2026-07-28 request for a backend: `_meta` envelope, `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`. */
export function backendRequest(id: number, r: Pick<RelayRequest, "method" | "params" | "meta" | "clientCapabilities">): Request {
  const target = typeof r.params.name === "string" ? r.params.name : typeof r.params.uri === "string" ? r.params.uri : undefined;
  const meta = {
    ...r.meta,
    [PROTOCOL_VERSION_META_KEY]: BACKEND_PROTOCOL_VERSION,
    [CLIENT_CAPABILITIES_META_KEY]: capabilitiesForBackend(r.clientCapabilities),
    [CLIENT_INFO_META_KEY]: { name: "edge-mcp-gateway", version: "1" },
  };
  return new Request("https://backend.internal/mcp", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": BACKEND_PROTOCOL_VERSION,
      "mcp-method": r.method,
      ...(target === undefined ? {} : { "mcp-name": target }),
    },
    body: JSON.stringify({ jsonrpc: "2.0", id, method: r.method, params: { ...r.params, _meta: meta } }),
  });
}

/** The JSON-RPC answer to `id` in one message, or undefined if the message is something else. */
function outcomeOf(message: JSONRPCMessage, id: number): RelayOutcome | undefined {
  if (isJSONRPCResultResponse(message) && message.id === id) return { kind: "result", result: message.result as Record<string, unknown> };
  if (isJSONRPCErrorResponse(message) && (message.id === id || message.id === null)) {
    return { kind: "error", code: message.error.code, message: message.error.message, ...(message.error.data === undefined ? {} : { data: message.error.data }) };
  }
  return undefined;
}

function parse(text: string, backend: string): JSONRPCMessage {
  if (text.length > MAX_BACKEND_MESSAGE_BYTES) throw new BackendUnavailableError(backend, "bad_response", "message too large");
  try {
    return JSON.parse(text) as JSONRPCMessage;
  } catch {
    throw new BackendUnavailableError(backend, "bad_response", "not JSON");
  }
}

let nextId = 1;

/**
 * Sends one request to a backend, failing with `BackendUnavailableError` when it throws or does
 * not start answering (response headers) within `timeoutMs`.
 */
export async function sendToBackend(target: BackendTarget, request: Request, caller: CallerIdentity, signal: AbortSignal, timeoutMs?: number): Promise<Response> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const sent = target.send(request, caller);
    return timeoutMs === undefined
      ? await sent
      : await Promise.race([sent, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new BackendUnavailableError(target.name, "timeout", `no answer within ${timeoutMs} ms`)), timeoutMs)))]);
  } catch (error) {
    if (error instanceof BackendUnavailableError) throw error;
    if (signal.aborted) throw new BackendUnavailableError(target.name, "timeout", "cancelled");
    throw new BackendUnavailableError(target.name, "unreachable", error instanceof Error ? error.name : "error");
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/**
 * Sends one request to a backend and relays what comes back: notifications (progress, logging)
 * to `onNotification` while the backend works, then its result or JSON-RPC error. Cancelling
 * (`signal`) cancels the backend's response stream, which ends the backend's request.
 */
export async function relay(target: BackendTarget, r: RelayRequest): Promise<RelayOutcome> {
  const id = nextId++;
  const response = await sendToBackend(target, backendRequest(id, r), r.caller, r.signal, r.timeoutMs);
  const type = response.headers.get("content-type") ?? "";
  if (!type.startsWith("text/event-stream")) {
    const text = await response.text();
    const outcome = type.includes("json") && text !== "" ? outcomeOf(parse(text, target.name), id) : undefined;
    if (outcome !== undefined) return outcome;
    throw new BackendUnavailableError(target.name, "bad_response", `HTTP ${response.status}`);
  }
  const reader = response.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  const cancel = () => void reader.cancel().catch(() => undefined);
  r.signal.addEventListener("abort", cancel, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.data === "") continue;
      const message = parse(value.data, target.name);
      const outcome = outcomeOf(message, id);
      if (outcome !== undefined) return outcome;
      if (isJSONRPCNotification(message)) await r.onNotification?.(message);
    }
  } catch (error) {
    if (error instanceof BackendUnavailableError) throw error;
    throw new BackendUnavailableError(target.name, r.signal.aborted ? "timeout" : "unreachable", "stream broke");
  } finally {
    r.signal.removeEventListener("abort", cancel);
    cancel();
  }
  throw new BackendUnavailableError(target.name, r.signal.aborted ? "timeout" : "bad_response", "stream ended without an answer");
}
