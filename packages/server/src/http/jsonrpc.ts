import {
  isInitializeRequest,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
} from "@modelcontextprotocol/server";
import { SERVER_DEFAULTS } from "../base/defaults.ts";
import { InvalidJsonRpcRequestError, ParseError, UnsupportedProtocolVersionError } from "../base/errors.ts";

export interface ParsedMessages {
  readonly messages: readonly JSONRPCMessage[];
  /** The body as the client sent it: a single message or a batch array. */
  readonly raw: unknown;
  readonly isInitialize: boolean;
}

/**
 * Parses a POST body into JSON-RPC messages: not JSON → -32700; JSON that is not JSON-RPC, an
 * empty batch or a batch bomb → -32600 (JSON-RPC 2.0 §5.1), before anything is dispatched.
 */
export function parseMessages(text: string, options: { allowBatch?: boolean } = {}): ParsedMessages {
  return messagesFrom(parseJson(text), options);
}

/** The body as JSON: anything else is JSON-RPC -32700. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ParseError("Parse error: the body is not valid JSON.");
  }
}

/** JSON → JSON-RPC messages: -32600 for what is not JSON-RPC, an empty batch, a batch bomb, or a batch where batches are gone. */
export function messagesFrom(raw: unknown, options: { allowBatch?: boolean } = {}): ParsedMessages {
  if (Array.isArray(raw) && options.allowBatch === false) {
    throw new InvalidJsonRpcRequestError("Invalid Request: JSON-RPC batches are not part of MCP since 2025-06-18; send one message per request.");
  }
  const items = Array.isArray(raw) ? raw : [raw];
  if (items.length === 0) throw new InvalidJsonRpcRequestError("Invalid Request: empty batch.");
  if (items.length > SERVER_DEFAULTS.maxBatchMessages) {
    throw new InvalidJsonRpcRequestError(`Invalid Request: a batch may hold at most ${SERVER_DEFAULTS.maxBatchMessages} messages.`);
  }
  const messages = items.map((item): JSONRPCMessage => {
    const valid = isJSONRPCRequest(item) || isJSONRPCNotification(item) || isJSONRPCResultResponse(item) || isJSONRPCErrorResponse(item);
    if (!valid) throw new InvalidJsonRpcRequestError("Invalid Request: not a JSON-RPC 2.0 message.");
    return item;
  });
  // The method first: the schema check of anything else fails, and a failing zod parse builds its issue list.
  const isInitialize = messages.some((message) => "method" in message && message.method === "initialize" && isInitializeRequest(message));
  if (isInitialize && messages.length > 1) {
    throw new InvalidJsonRpcRequestError("Invalid Request: initialize must be sent alone.");
  }
  return { messages, raw, isInitialize };
}

/** The first revision of the modern (stateless, per-request `_meta`) era. */
export const FIRST_MODERN_VERSION = "2026-07-28";

/** Protocol versions of the 2025-era session protocol this server speaks (2026-07-28 and later are served statelessly). */
export const LEGACY_PROTOCOL_VERSIONS: readonly string[] = Object.freeze(SUPPORTED_PROTOCOL_VERSIONS.filter((v) => v < FIRST_MODERN_VERSION));

/** Whether an `MCP-Protocol-Version` header names a modern revision (dated 2026-07-28 or later). */
export function isModernVersion(version: string | null): boolean {
  return version !== null && /^\d{4}-\d{2}-\d{2}$/.test(version) && version >= FIRST_MODERN_VERSION;
}

/**
 * Streamable HTTP §"Protocol Version Header" (2025 era): an unsupported `MCP-Protocol-Version`
 * → 400. A missing header is allowed (the server then assumes 2025-03-26). Modern requests
 * are checked by the SDK's modern path (400 / -32022 with the supported list).
 */
export function checkProtocolVersion(request: Request): void {
  const version = request.headers.get("mcp-protocol-version");
  if (version !== null && !LEGACY_PROTOCOL_VERSIONS.includes(version)) {
    throw new UnsupportedProtocolVersionError(
      `Unsupported MCP-Protocol-Version "${version.slice(0, 40)}"; supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")}.`,
    );
  }
}

/** The first revision without JSON-RPC batching (MCP 2025-06-18 changelog: "Remove support for JSON-RPC batching"). */
const FIRST_VERSION_WITHOUT_BATCHES = "2025-06-18";

/** Whether this request's protocol version still has batches: 2025-03-26 (assumed when the header is absent) and older. */
export function batchesAllowed(request: Request): boolean {
  const version = request.headers.get("mcp-protocol-version");
  return version === null || version < FIRST_VERSION_WITHOUT_BATCHES;
}

/** `{ method, target }` of a body holding exactly one request or notification, else `{}` (for `setup`'s context). */
export function methodOf(parsed: ParsedMessages): { method?: string; target?: string } {
  const only = parsed.messages.length === 1 ? parsed.messages[0] : undefined;
  if (only === undefined || !("method" in only)) return {};
  const params = (only.params ?? {}) as { name?: unknown; uri?: unknown };
  const target = typeof params.name === "string" ? params.name : typeof params.uri === "string" ? params.uri : undefined;
  return { method: only.method, ...(target === undefined ? {} : { target }) };
}
