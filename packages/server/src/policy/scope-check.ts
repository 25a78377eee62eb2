import { InsufficientScopeError, missingScopes } from "@edge-mcp/auth";
import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import type { CallerIdentity } from "../base/caller.ts";
import { scopesForMessages, type ToolScopes } from "./method-scopes.ts";

/**
 * Refuses a request whose messages need scopes the caller lacks, before anything is
 * dispatched: HTTP 403 with `error="insufficient_scope"` naming every scope needed, so the
 * client can step up (MCP authorization, 2025-11-25 §"Scope challenge handling").
 */
export function checkMessageScopes(caller: CallerIdentity, messages: readonly JSONRPCMessage[], tools: ToolScopes): void {
  const needed = scopesForMessages(messages, tools);
  if (missingScopes(caller, needed).length > 0) throw new InsufficientScopeError(needed);
}
