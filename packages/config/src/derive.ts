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

/** The edge OAuth facade's host (`auth.mode: "facade"`): auth.{base_domain}. */
/** The operator console's Worker name. */
export const CONSOLE_WORKER = "edge-mcp-console";

/** The operator console's host: ecosystem.json operations.console.host, else `console.{base_domain}`. */
export function consoleHost(ecosystem: Ecosystem, baseDomain: string): string {
  return ecosystem.operations.console?.host ?? `console.${baseDomain}`;
}

/** The console's API identifier (its tokens' audience) and origin: `https://{host}/`. */
export function consoleAudience(ecosystem: Ecosystem, baseDomain: string): string {
  return `https://${consoleHost(ecosystem, baseDomain)}/`;
}

export function facadeHost(baseDomain: string): string {
  return `auth.${baseDomain}`;
}

/** The facade's issuer (RFC 8414): what MCP clients see as their authorization server. */
export function facadeIssuer(baseDomain: string): string {
  return `https://${facadeHost(baseDomain)}`;
}

/** The resource URL under `npm run dev`. */
export function devResource(server: ServerManifest): string {
  return `http://localhost:${server.dev.port}/mcp`;
}

/** The local authorization server's issuer (trailing slash, as Auth0 issuers have). */
export function devIssuer(ecosystem: Ecosystem, issuerPort: number = ecosystem.dev.issuerPort): string {
  return `http://localhost:${issuerPort}/`;
}

/** One client's grant on one server: mcp.json `grants`, client groups expanded. */
export interface ServerGrant {
  /** The ecosystem.json client key. */
  readonly client: string;
  /** `client` for machine-to-machine (client credentials) clients, `user` for user-delegated ones. */
  readonly subjectType: "user" | "client";
  /** Sorted. */
  readonly scopes: readonly string[];
}

/**
 * Which clients a server grants which scopes — what the provisioner turns into Auth0 client
 * grants and the local authorization server enforces. Config mistakes (an unknown client or
 * group, a scope the server does not define) come back as sentences, first one first.
 */
export function serverGrants(ecosystem: Ecosystem, server: ServerManifest): { grants: ServerGrant[]; problems: string[] } {
  const scopes = serverScopes(ecosystem, server);
  const grants: ServerGrant[] = [];
  const problems: string[] = [];
  for (const [target, granted] of Object.entries(server.grants)) {
    const members = ecosystem.clientGroups[target] ?? (target in ecosystem.clients ? [target] : undefined);
    if (members === undefined) {
      problems.push(`workers/${server.slug}/mcp.json grants "${target}", which is neither a client nor a client group in ecosystem.json.`);
      continue;
    }
    const unknown = granted.filter((s) => !scopes.some((d) => d.value === s));
    if (unknown.length > 0) {
      problems.push(`workers/${server.slug}/mcp.json grants ${unknown.join(", ")} to "${target}", but ${server.slug} does not define it; add it to extraScopes or use one of: ${scopes.map((s) => s.value).join(" ")}.`);
      continue;
    }
    for (const client of members) {
      const definition = ecosystem.clients[client];
      if (definition === undefined) {
        problems.push(`client group "${target}" names "${client}", which is not a client in ecosystem.json.`);
        continue;
      }
      grants.push({ client, subjectType: definition.profile === "service_m2m" ? "client" : "user", scopes: [...granted].sort() });
    }
  }
  return { grants, problems };
}
