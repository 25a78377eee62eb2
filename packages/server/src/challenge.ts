import { protectedResourceMetadataUrl, type ChallengeContext } from "@edge-mcp/auth";
import type { ServerConfig } from "./config.ts";

const cache = new WeakMap<ServerConfig, ChallengeContext>();

/**
 * What every challenge of this server carries: the RFC 9728 metadata URL derived from
 * `MCP_RESOURCE` (RFC 9728 §5.1), and in a 401 the scopes a client should request — the
 * scopes this server supports. Built once per config.
 */
export function challengeFor(config: ServerConfig, scopes: readonly string[]): ChallengeContext {
  let context = cache.get(config);
  if (context === undefined) {
    context = Object.freeze({ resourceMetadataUrl: protectedResourceMetadataUrl(config.resource), scopes });
    cache.set(config, context);
  }
  return context;
}
