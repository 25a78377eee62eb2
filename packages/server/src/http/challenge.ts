import { protectedResourceMetadataUrl, type ChallengeContext } from "@edge-mcp/auth";
import type { ServerConfig } from "../base/config.ts";

const cache = new WeakMap<ServerConfig, ChallengeContext>();

/**
 * The scopes this server advertises (RFC 9728 `scopes_supported`, the 401 `scope`): `MCP_SCOPES`
 * — rendered from its mcp.json — else the worker's `scopes` option (default: the standard profile).
 */
export function advertisedScopes(config: ServerConfig, fallback: readonly string[]): readonly string[] {
  return config.scopes ?? fallback;
}

/**
 * What every challenge of this server carries: the RFC 9728 metadata URL derived from
 * `MCP_RESOURCE` (RFC 9728 §5.1), and in a 401 the scopes a client should request — the
 * scopes this server supports. Built once per config.
 */
export function challengeFor(config: ServerConfig, fallbackScopes: readonly string[]): ChallengeContext {
  let context = cache.get(config);
  if (context === undefined) {
    context = Object.freeze({ resourceMetadataUrl: protectedResourceMetadataUrl(config.resource), scopes: advertisedScopes(config, fallbackScopes) });
    cache.set(config, context);
  }
  return context;
}
