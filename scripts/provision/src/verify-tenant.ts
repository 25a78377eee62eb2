import type { CurrentState } from "./current-state.ts";
import type { DesiredState } from "./desired-state.ts";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

/** Each tenant prerequisite MCP clients rely on, with how to fix it. Reads only. */
export function verifyTenant(desired: DesiredState, current: CurrentState): Check[] {
  const flags = (current.tenant.flags ?? {}) as Record<string, unknown>;
  const identifiers = desired.resourceServers.map((r) => r.identifier);
  const present = new Set(current.resourceServers.map((r) => r.identifier));
  const thirdParty = current.grants.filter((g) => g.default_for === "third_party_clients").map((g) => g.audience);
  const checks: Check[] = [
    {
      name: "Resource Parameter Compatibility Profile",
      ok: current.tenant.resource_parameter_profile === "compatibility",
      detail: "MCP clients send RFC 8707 `resource`; without the profile Auth0 ignores it and tokens lack the API audience.",
      fix: "npm run provision (sets resource_parameter_profile: compatibility)",
    },
    {
      name: "Issuer in authorization responses (RFC 9207)",
      ok: current.tenant.authorization_response_iss_parameter_supported === desired.tenant.authorization_response_iss_parameter_supported,
      detail: "Clients use `iss` in the redirect to detect mix-up attacks.",
      fix: "npm run provision",
    },
    {
      name: "Dynamic client registration",
      ok: (flags.enable_dynamic_client_registration ?? false) === desired.tenant.flags.enable_dynamic_client_registration,
      detail: desired.tenant.flags.enable_dynamic_client_registration ? "MCP clients without a pre-registered app register themselves (open endpoint, 5 req/s)." : "DCR is wanted off.",
      fix: `npm run provision -- tenant dcr ${desired.tenant.flags.enable_dynamic_client_registration ? "enable" : "disable"}`,
    },
    {
      name: "One API per MCP server",
      ok: identifiers.every((i) => present.has(i)),
      detail: `${identifiers.filter((i) => present.has(i)).length}/${identifiers.length} present`,
      fix: "npm run provision",
    },
  ];
  for (const name of desired.domainConnections) {
    const connection = current.connections.find((c) => c.name === name);
    checks.push({
      name: `Domain-level connection "${name}"`,
      ok: connection?.is_domain_connection === true,
      detail: connection === undefined ? "not found in the tenant" : "third-party (DCR) clients can only sign in with domain-level connections",
      fix: connection === undefined ? "create it in Auth0, or remove it from tenant.domainConnections" : "npm run provision",
    });
  }
  if (desired.tenant.flags.enable_dynamic_client_registration) {
    checks.push({
      name: "Default grants for third-party (DCR) clients",
      ok: identifiers.every((i) => thirdParty.includes(i)),
      detail: "Third-party clients always need a grant; without one every DCR client gets access_denied.",
      fix: "npm run provision",
    });
  }
  if (desired.cimdClients.length > 0) checks.push(...cimdReadiness(desired, current));
  return checks.map((c) => (c.ok ? { name: c.name, ok: true, detail: c.detail } : c));
}

/**
 * What CIMD clients (third-party, strict) need from the tenant to sign in: the setting, no
 * Rules (strict third-party logins fail while Rules are enabled), at least one domain-level
 * connection, the resource parameter profile and `iss` in responses (checked above), and their
 * registrations.
 */
function cimdReadiness(desired: DesiredState, current: CurrentState): Check[] {
  const registered = new Set(current.clients.map((c) => c.external_client_id));
  const domainConnections = current.connections.filter((c) => c.is_domain_connection === true).map((c) => String(c.name));
  return [
    {
      name: "CIMD: client ID metadata documents supported",
      ok: current.tenant.client_id_metadata_document_supported === true,
      detail: "Auth0 accepts a client ID metadata document URL as a client_id only with this tenant setting.",
      fix: "npm run provision (sets client_id_metadata_document_supported)",
    },
    {
      name: "CIMD: no enabled Rules",
      ok: (current.rules ?? []).length === 0,
      detail: (current.rules ?? []).length === 0 ? "no Rules run on logins" : `${(current.rules ?? []).length} enabled Rule(s): sign-in fails for CIMD (strict third-party) clients while Rules run`,
      fix: "migrate the Rules to Actions and disable them",
    },
    {
      name: "CIMD: a domain-level connection",
      ok: domainConnections.length > 0,
      detail: domainConnections.length > 0 ? `domain-level: ${domainConnections.join(", ")}` : "third-party clients can only use domain-level connections",
      fix: "add a connection to tenant.domainConnections in ecosystem.json, then npm run provision",
    },
    {
      name: "CIMD: every listed client registered",
      ok: desired.cimdClients.every((url) => registered.has(url)),
      detail: `${desired.cimdClients.filter((url) => registered.has(url)).length}/${desired.cimdClients.length} registered`,
      fix: "npm run provision",
    },
  ];
}
