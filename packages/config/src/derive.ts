import { SCOPE_PROFILES, SCOPES } from "@edge-mcp/auth";
import type { Ecosystem, ServerManifest } from "./schemas.ts";

/** Human descriptions of the built-in scopes (Auth0 API scope descriptions, consent pages). */
export const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = Object.freeze({
  [SCOPES.resourcesRead]: "Read the server's resources",
  [SCOPES.promptsRead]: "Read the server's prompts",
  [SCOPES.toolsRead]: "List tools and call read-only tools",
  [SCOPES.toolsWrite]: "Call tools that change data",
});

export interface ScopeDefinition {
  readonly value: string;
  readonly description: string;
}

/** The scopes a server's API defines: its profile (or the fleet default) plus its extra scopes. */
export function serverScopes(ecosystem: Ecosystem, server: ServerManifest): ScopeDefinition[] {
  const profile = server.scopeProfile ?? ecosystem.defaults.scopeProfile;
  const builtIn = SCOPE_PROFILES[profile].map((value) => ({ value, description: SCOPE_DESCRIPTIONS[value] ?? value }));
  const seen = new Set<string>(builtIn.map((s) => s.value));
  return [...builtIn, ...server.extraScopes.filter((s) => !seen.has(s.value))];
}

/** `{slug}-mcp.{base_domain}` (or the fleet's pattern) for one server. */
export function serverHost(ecosystem: Ecosystem, server: ServerManifest, baseDomain: string): string {
  return ecosystem.hostPattern.replaceAll("{slug}", server.slug).replaceAll("{base_domain}", baseDomain);
}

/** The canonical resource URL (RFC 8707; the runtime's MCP_RESOURCE) in production. */
export function productionResource(ecosystem: Ecosystem, server: ServerManifest, baseDomain: string): string {
  return `https://${serverHost(ecosystem, server, baseDomain)}/mcp`;
}

/** The resource URL under `npm run dev`. */
export function devResource(server: ServerManifest): string {
  return `http://localhost:${server.dev.port}/mcp`;
}

/** The local authorization server's issuer (trailing slash, as Auth0 issuers have). */
export function devIssuer(ecosystem: Ecosystem, issuerPort: number = ecosystem.dev.issuerPort): string {
  return `http://localhost:${issuerPort}/`;
}
