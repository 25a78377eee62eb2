import { resolveOwnedClients } from "./client-ownership.ts";
import { ProvisionError } from "./errors.ts";
import type { TenantState } from "./provision-state.ts";
import type { CurrentState } from "./current-state.ts";
import { cimdKey, type DesiredClient, type DesiredGrant, type DesiredResourceServer, type DesiredState } from "./desired-state.ts";

type Obj = Record<string, unknown>;
export type ObjectType = "tenant" | "connection" | "resource_server" | "client" | "cimd_client" | "client_grant";

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export type Change =
  | { action: "create"; type: ObjectType; key: string; desired: Obj }
  | { action: "update"; type: ObjectType; key: string; id: string; fields: FieldChange[]; patch: Obj }
  | { action: "delete" | "orphan"; type: ObjectType; key: string; id: string; audience?: string; clientKey?: string };

export interface Plan {
  changes: Change[];
  /** Owned client ids by client key (existing ones), for grants and the .env block. */
  clientIds: Record<string, string>;
  /** Objects that look like the fleet's but are left alone, and why (printed with the plan). */
  warnings: string[];
}

const sortStrings = (v: unknown) => (Array.isArray(v) ? [...v].map(String).sort() : v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const scopesOf = (v: unknown) =>
  (Array.isArray(v) ? (v as Array<{ value: string; description?: string }>) : []).map((s) => ({ value: s.value, description: s.description ?? "" })).sort((a, b) => a.value.localeCompare(b.value));

export const grantKey = (g: { client: string; audience: string; subjectType: string }) => `${g.client} → ${g.audience} (${g.subjectType})`;

function diffFields(current: Obj, desired: Obj, fields: Array<[string, (v: unknown) => unknown]>): { fields: FieldChange[]; patch: Obj } {
  const changes: FieldChange[] = [];
  const patch: Obj = {};
  for (const [field, normalize] of fields) {
    const before = normalize(current[field]);
    const after = normalize(desired[field]);
    if (!same(before, after)) {
      changes.push({ field, before, after });
      patch[field] = desired[field];
    }
  }
  return { fields: changes, patch };
}

const id = (v: unknown) => v;

/** Tenant settings: read-modify-write (flags are merged, never replaced). */
function tenantChange(desired: DesiredState, current: CurrentState): Change | undefined {
  const flags = (current.tenant.flags ?? {}) as Obj;
  const tenantFields: FieldChange[] = [];
  if (current.tenant.resource_parameter_profile !== desired.tenant.resource_parameter_profile) {
    tenantFields.push({ field: "resource_parameter_profile", before: current.tenant.resource_parameter_profile ?? null, after: desired.tenant.resource_parameter_profile });
  }
  if ((current.tenant.authorization_response_iss_parameter_supported ?? false) !== desired.tenant.authorization_response_iss_parameter_supported) {
    tenantFields.push({ field: "authorization_response_iss_parameter_supported", before: current.tenant.authorization_response_iss_parameter_supported ?? false, after: desired.tenant.authorization_response_iss_parameter_supported });
  }
  const cimd = desired.tenant.client_id_metadata_document_supported;
  if (cimd !== undefined && (current.tenant.client_id_metadata_document_supported ?? false) !== cimd) {
    tenantFields.push({ field: "client_id_metadata_document_supported", before: current.tenant.client_id_metadata_document_supported ?? false, after: cimd });
  }
  if ((flags.enable_dynamic_client_registration ?? false) !== desired.tenant.flags.enable_dynamic_client_registration) {
    tenantFields.push({ field: "flags.enable_dynamic_client_registration", before: flags.enable_dynamic_client_registration ?? false, after: desired.tenant.flags.enable_dynamic_client_registration });
  }
  if (tenantFields.length === 0) return undefined;
  return {
    action: "update",
    type: "tenant",
    key: "tenant settings",
    id: "settings",
    fields: tenantFields,
    patch: {
      resource_parameter_profile: desired.tenant.resource_parameter_profile,
      authorization_response_iss_parameter_supported: desired.tenant.authorization_response_iss_parameter_supported,
      ...(cimd === undefined ? {} : { client_id_metadata_document_supported: cimd }),
      flags: { ...flags, ...desired.tenant.flags },
    },
  };
}

/** Connections: promoted to domain level, Token Vault on; options read-modify-write. */
function connectionChanges(desired: DesiredState, current: CurrentState): Change[] {
  const changes: Change[] = [];
  // Third-party clients can only use domain-level connections (Auth0): promote the named ones.
  for (const name of desired.domainConnections) {
    const connection = current.connections.find((c) => c.name === name);
    if (connection === undefined) throw new ProvisionError("config_invalid", `ecosystem.json tenant.domainConnections names "${name}", which this tenant has no connection called; known: ${current.connections.map((c) => String(c.name)).join(", ") || "none"}.`);
    if (connection.is_domain_connection !== true) {
      changes.push({ action: "update", type: "connection", key: name, id: String(connection.id), fields: [{ field: "is_domain_connection", before: connection.is_domain_connection ?? false, after: true }], patch: { is_domain_connection: true } });
    }
  }

  // Token Vault on the connections servers' third-party apis use (Auth0: connected accounts on the
  // connection). Options are replaced whole by PATCH: read-modify-write, other options kept.
  for (const name of desired.tokenVaultConnections) {
    const connection = current.connections.find((c) => c.name === name);
    if (connection === undefined) throw new ProvisionError("config_invalid", `A server's mcp.json apis name the connection "${name}", which this tenant does not have: create it in Auth0 (Authentication → Social, with "Connected Accounts for Token Vault" on), then run again.`);
    const options = (connection.options ?? {}) as Obj;
    const vault = options.federated_connections_access_tokens as { active?: unknown } | undefined;
    if (vault?.active !== true) {
      changes.push({ action: "update", type: "connection", key: `${name} (Token Vault)`, id: String(connection.id), fields: [{ field: "options.federated_connections_access_tokens.active", before: vault?.active ?? false, after: true }], patch: { options: { ...options, federated_connections_access_tokens: { active: true } } } });
    }
  }
  return changes;
}

/**
 * Compares desired and current state. Only objects edge-mcp owns are updated or deleted: the
 * configured APIs and those recorded in provision-state.json; first-party applications marked
 * in `client_metadata` and pinned to their key (client-ownership.ts); grants of owned
 * applications (and the third-party default grants) whose audience is a fleet API. Owned
 * objects no longer desired are `orphan`s, or `delete`s with `allowDelete`. Third-party and
 * DCR clients, other teams' APIs and hand-made grants to other APIs are never touched.
 */
export function computePlan(desired: DesiredState, current: CurrentState, options: { state: TenantState; allowDelete: boolean }): Plan {
  const changes: Change[] = [];
  const removal = (type: ObjectType, key: string, id: string, scope: { audience?: string; clientKey?: string } = {}): Change => ({
    action: options.allowDelete ? "delete" : "orphan",
    type,
    key,
    id,
    ...scope,
  });

  const tenant = tenantChange(desired, current);
  if (tenant !== undefined) changes.push(tenant);
  changes.push(...connectionChanges(desired, current));

  // Applications: marked, first-party, and pinned to their key (names are not unique in Auth0).
  const owned = resolveOwnedClients(current.clients, options.state.clients);
  const clientIds: Record<string, string> = {};
  for (const [key, client] of owned.byKey) clientIds[key] = String(client.client_id);
  for (const want of desired.clients) {
    const have = owned.byKey.get(want.key);
    if (have === undefined) {
      changes.push({ action: "create", type: "client", key: want.key, desired: want.body });
      continue;
    }
    const { fields, patch } = diffFields(have, want.body, [
      ["name", id], ["app_type", id], ["token_endpoint_auth_method", id], ["grant_types", sortStrings],
      ["callbacks", sortStrings], ["allowed_origins", sortStrings], ["web_origins", sortStrings], ["is_first_party", id],
    ]);
    if (fields.length > 0) changes.push({ action: "update", type: "client", key: want.key, id: String(have.client_id), fields, patch });
  }
  const warnings = [...owned.warnings];
  for (const [key, client] of owned.byKey) {
    if (desired.clients.some((c) => c.key === key)) continue;
    // Only an application this tool pinned may be deleted; a marked one it never adopted is only reported.
    if (owned.pinned.has(key)) changes.push(removal("client", `${key} (${String(client.name)})`, String(client.client_id), { clientKey: key }));
    else warnings.push(`application ${String(client.client_id)} ("${String(client.name)}") is marked for "${key}", which is not configured and was never adopted: left alone`);
  }

  // CIMD clients, matched by their document URL (Auth0's external_client_id; the registration is
  // an upsert keyed on it). Present → nothing to write (a re-run makes 0 writes); missing →
  // registered. Only those this tool registered (recorded in provision-state.json) may be removed.
  for (const url of desired.cimdClients) {
    const have = current.clients.find((c) => c.external_client_id === url);
    if (have === undefined) changes.push({ action: "create", type: "cimd_client", key: url, desired: { external_client_id: url } });
    else clientIds[cimdKey(url)] = String(have.client_id);
  }
  for (const [url, pinnedId] of Object.entries(options.state.cimd ?? {})) {
    if (desired.cimdClients.includes(url)) continue;
    const have = current.clients.find((c) => String(c.client_id) === pinnedId && c.external_client_id === url);
    if (have !== undefined) {
      clientIds[cimdKey(url)] = pinnedId;
      changes.push(removal("cimd_client", url, pinnedId, { clientKey: cimdKey(url) }));
    }
  }

  // APIs, matched by identifier (unique and immutable in Auth0).
  for (const want of desired.resourceServers) {
    const have = current.resourceServers.find((r) => r.identifier === want.identifier);
    if (have === undefined) {
      changes.push({ action: "create", type: "resource_server", key: want.identifier, desired: { identifier: want.identifier, ...want.body } });
      continue;
    }
    const { fields, patch } = diffFields(have, want.body as unknown as Obj, [
      ["name", id], ["scopes", scopesOf], ["signing_alg", id], ["token_dialect", id], ["allow_offline_access", id],
      ["enforce_policies", id], ["skip_consent_for_verifiable_first_party_clients", id], ["subject_type_authorization", id],
    ]);
    if (fields.length > 0) changes.push({ action: "update", type: "resource_server", key: want.identifier, id: String(have.id), fields, patch });
  }
  // Only APIs this tool recorded may be removed: matching the fleet's identifier pattern is not ownership.
  const recorded = new Set(options.state.apis);
  const ownedServers = current.resourceServers.filter((r) => typeof r.identifier === "string" && recorded.has(r.identifier));
  for (const rs of ownedServers) {
    if (!desired.resourceServers.some((r) => r.identifier === rs.identifier)) changes.push(removal("resource_server", String(rs.identifier), String(rs.id), { audience: String(rs.identifier) }));
  }

  // Client grants, per (client, audience, subject type); audience, client and subject type are
  // immutable in Auth0, so a grant that must move is an orphan plus a create.
  // Only grants to fleet APIs: a hand-made grant from an owned application to another API is not ours.
  const clientKeyById = new Map(Object.entries(clientIds).map(([k, v]) => [v, k]));
  // A grant to an API this run neither has nor creates would be refused by Auth0 (404): say which, before any write.
  const apisAfterRun = new Set<unknown>([...desired.resourceServers.map((r) => r.identifier), ...current.resourceServers.map((r) => r.identifier)]);
  for (const want of desired.grants) {
    if (apisAfterRun.has(want.audience)) continue;
    throw new ProvisionError("config_invalid", want.whenMissing ?? `The application "${want.client}" would be granted ${want.audience}, an API this tenant does not have.`);
  }
  // The APIs whose grants edge-mcp manages: the fleet's, and the system APIs it grants its own applications (My Account).
  const fleetApis = new Set([...recorded, ...desired.resourceServers.map((r) => r.identifier), ...desired.grants.map((g) => g.audience)]);
  const ownedGrants = current.grants.filter((g) =>
    fleetApis.has(String(g.audience)) && (g.default_for === "third_party_clients" || clientKeyById.has(String(g.client_id))),
  );
  const keyOfGrant = (g: Obj) => grantKey({
    client: g.default_for === "third_party_clients" ? "third_party_clients" : clientKeyById.get(String(g.client_id))!,
    audience: String(g.audience),
    subjectType: String(g.subject_type ?? "client"),
  });
  for (const want of desired.grants) {
    const key = grantKey(want);
    const have = ownedGrants.find((g) => keyOfGrant(g) === key);
    if (have === undefined) {
      changes.push({ action: "create", type: "client_grant", key, desired: grantBody(want) });
      continue;
    }
    if (!same(sortStrings(have.scope), want.scope)) {
      changes.push({ action: "update", type: "client_grant", key, id: String(have.id), fields: [{ field: "scope", before: sortStrings(have.scope), after: want.scope }], patch: { scope: want.scope } });
    }
  }
  for (const grant of ownedGrants) {
    if (!desired.grants.some((g) => grantKey(g) === keyOfGrant(grant))) {
      changes.push(removal("client_grant", keyOfGrant(grant), String(grant.id), { audience: String(grant.audience), ...(clientKeyById.has(String(grant.client_id)) ? { clientKey: clientKeyById.get(String(grant.client_id))! } : {}) }));
    }
  }
  return { changes, clientIds, warnings };
}

/** The POST body of a grant; `client_id` of a client created in the same run is filled in at apply. */
export function grantBody(grant: DesiredGrant): Obj {
  return {
    ...(grant.client === "third_party_clients" ? { default_for: "third_party_clients" } : { client_key: grant.client }),
    audience: grant.audience,
    scope: grant.scope,
    subject_type: grant.subjectType,
  };
}

export type { DesiredClient, DesiredResourceServer };
