import { SCOPES } from "@edge-mcp/auth";
import type { JSONRPCMessage } from "@modelcontextprotocol/server";

/** Scopes a tool needs when its registration names none. */
export const DEFAULT_TOOL_SCOPES: readonly string[] = Object.freeze([SCOPES.toolsRead]);

/** Per-tool scopes, filled at registration; read before any `tools/call` is dispatched. */
export type ToolScopes = ReadonlyMap<string, readonly string[]>;

/**
 * The scopes one JSON-RPC message needs. Requests only: notifications and responses (e.g. a
 * client's answer to a sampling request) carry no operation of their own.
 * - `tools/call` → the tool's registered scopes (unknown tools: `tools.read`);
 * - `tools/list` → `tools.read`; `resources/*` → `resources.read`; `prompts/*` → `prompts.read`;
 * - `completion/complete` → by what it completes (a prompt or a resource template);
 * - lifecycle and utilities (`initialize`, `ping`, `logging/setLevel`) → none beyond a valid token.
 */
export function scopesForMessage(message: JSONRPCMessage, tools: ToolScopes): readonly string[] {
  if (!("method" in message) || !("id" in message)) return [];
  const params = (message.params ?? {}) as Record<string, unknown>;
  const method = message.method;
  if (method === "tools/call") {
    return tools.get(typeof params.name === "string" ? params.name : "") ?? DEFAULT_TOOL_SCOPES;
  }
  if (method.startsWith("tools/")) return [SCOPES.toolsRead];
  if (method.startsWith("resources/")) return [SCOPES.resourcesRead];
  if (method.startsWith("prompts/")) return [SCOPES.promptsRead];
  if (method === "completion/complete") {
    const ref = params.ref as { type?: unknown } | undefined;
    return ref?.type === "ref/prompt" ? [SCOPES.promptsRead] : [SCOPES.resourcesRead];
  }
  return [];
}

/** Every scope a request body needs (the union over a batch), in first-seen order. */
export function scopesForMessages(messages: readonly JSONRPCMessage[], tools: ToolScopes): string[] {
  const needed = new Set<string>();
  for (const message of messages) for (const scope of scopesForMessage(message, tools)) needed.add(scope);
  return [...needed];
}
