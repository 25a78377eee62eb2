import { OPERATOR_SCOPE } from "@edge-mcp/auth";
import { consoleAudience, facadeIssuer, productionResource, serverHost, serverGrants, serverScopes, type Ecosystem, type ServerManifest } from "@edge-mcp/config";
import { PROVISION_DEFAULTS } from "./defaults.ts";
import { addServerApis, userOnlyApiBody } from "./desired-apis.ts";
import { ProvisionError } from "./errors.ts";

export interface DesiredResourceServer {
  slug: string;
  identifier: string;
  body: {
    name: string;
    scopes: Array<{ value: string; description: string }>;
    signing_alg: "RS256";
    token_dialect: string;
    allow_offline_access: boolean;
    enforce_policies: boolean;
    skip_consent_for_verifiable_first_party_clients: boolean;
    subject_type_authorization: { user: { policy: string }; client: { policy: string } };
  };
}

export interface DesiredClient {
  key: string;
  profile: string;
  body: {
    name: string;
    app_type: string;
    token_endpoint_auth_method: string;
    grant_types: string[];
    callbacks: string[];
    allowed_origins: string[];
    web_origins: string[];
    is_first_party: true;
    oidc_conformant: true;
    /** A Custom API client's API (`app_type: "resource_server"`): a server's exchanging client. */
    resource_server_identifier?: string;
    /** Token exchange profiles the client may use (shape unverified offline: docs/provisioning.md). */
    token_exchange?: { allow_any_profile_of_type: string[] };
    client_metadata: Record<string, string>;
  };
}

export interface DesiredGrant {
  /** A client key, or `third_party_clients` for the tenant's default grant (DCR). */
  client: string;
  audience: string;
  subjectType: "user" | "client";
  scope: string[];
  /** What to tell the operator when the tenant lacks `audience` and this run does not create it (a system API to activate). */
  whenMissing?: string;
}

export interface DesiredTenant {
  resource_parameter_profile: "compatibility";
  authorization_response_iss_parameter_supported: boolean;
  flags: { enable_dynamic_client_registration: boolean };
  /**
   * On when CIMD clients are listed or `tenant.dynamicCimd` is true, off when it is false,
   * absent (the tenant's own value kept) otherwise.
   */
  client_id_metadata_document_supported?: boolean;
}

export interface DesiredState {
  tenant: DesiredTenant;
  /** Connections promoted to domain level, so third-party (DCR) clients can use them. */
  domainConnections: string[];
  resourceServers: DesiredResourceServer[];
  clients: DesiredClient[];
  /** CIMD clients by their metadata document URL (ecosystem.json tenant.cimdClients). */
  cimdClients: string[];
  grants: DesiredGrant[];
  /** Connections whose Token Vault (connected accounts) must be on: servers' third-party `apis`. */
  tokenVaultConnections: string[];
}

/**
 * The client key of the edge OAuth facade's application (`auth.mode: "facade"`): the one
 * confidential client users sign in through; its credentials land in .env as
 * EDGE_MCP_CLIENT_OAUTH_FACADE_ID / _SECRET like any created client's.
 */
export const FACADE_CLIENT_KEY = "oauth-facade";

/**
 * The client key of the operator console's application (ecosystem.json operations.console): a
 * confidential web application; credentials in .env as EDGE_MCP_CLIENT_OPERATOR_CONSOLE_ID / _SECRET.
 */
export const CONSOLE_CLIENT_KEY = "operator-console";

/** The console's one scope: the operator scope (fleet.read), granted to operators by an Auth0 role. */
const CONSOLE_SCOPES = [{ value: OPERATOR_SCOPE, description: "Read the fleet's health, metrics and calls (operators)" }];

/** The client key of a CIMD client in grants and plans: `cimd:<document URL>`. */
export const cimdKey = (url: string) => `cimd:${url}`;

const PROFILES: Record<string, Pick<DesiredClient["body"], "app_type" | "token_endpoint_auth_method" | "grant_types">> = {
  native_interactive: { app_type: "native", token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"] },
  spa_interactive: { app_type: "spa", token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"] },
  regular_web_interactive: { app_type: "regular_web", token_endpoint_auth_method: "client_secret_post", grant_types: ["authorization_code", "refresh_token"] },
  service_m2m: { app_type: "non_interactive", token_endpoint_auth_method: "client_secret_post", grant_types: ["client_credentials"] },
};

/** The identifiers one server's API exists under (trailing-slash mode). */
export function identifiersFor(ecosystem: Ecosystem, server: ServerManifest, baseDomain: string): string[] {
  const canonical = productionResource(ecosystem, server, baseDomain);
  switch (ecosystem.defaults.trailingSlash) {
    case "both":
      return [canonical, `${canonical}/`];
    case "always":
      return [`${canonical}/`];
    case "never":
      return [canonical];
  }
}

/** What Auth0 should hold for this fleet. Config mistakes (unknown clients, undefined scopes) throw. */
export function desiredState(ecosystem: Ecosystem, servers: readonly ServerManifest[], baseDomain: string, auth0Domain: string): DesiredState {
  const clients: DesiredClient[] = Object.entries(ecosystem.clients).map(([key, c]) => {
    const profile = PROFILES[c.profile]!;
    return {
      key,
      profile: c.profile,
      body: {
        name: c.name,
        app_type: profile.app_type,
        token_endpoint_auth_method: profile.token_endpoint_auth_method,
        grant_types: [...profile.grant_types],
        callbacks: [...c.callbacks],
        allowed_origins: [...c.origins],
        web_origins: c.profile === "spa_interactive" ? [...c.origins] : [],
        is_first_party: true,
        oidc_conformant: true,
        client_metadata: { [PROVISION_DEFAULTS.ownerKey]: PROVISION_DEFAULTS.ownerValue, [PROVISION_DEFAULTS.clientKeyMetadata]: key },
      },
    };
  });
  const facade = ecosystem.auth.mode === "facade";
  if (facade) {
    if (FACADE_CLIENT_KEY in ecosystem.clients) {
      throw new ProvisionError("config_invalid", `ecosystem.json clients: "${FACADE_CLIENT_KEY}" is the OAuth facade's own application with auth.mode "facade"; rename your client.`);
    }
    // Confidential, one fixed callback, authorization code only: the facade redeems Auth0's code
    // itself and keeps no Auth0 refresh token (its own grants carry the session).
    clients.push({
      key: FACADE_CLIENT_KEY,
      profile: "regular_web_interactive",
      body: {
        name: "edge-mcp OAuth facade",
        app_type: "regular_web",
        token_endpoint_auth_method: "client_secret_post",
        grant_types: ["authorization_code"],
        callbacks: [`${facadeIssuer(baseDomain)}/callback`],
        allowed_origins: [],
        web_origins: [],
        is_first_party: true,
        oidc_conformant: true,
        client_metadata: { [PROVISION_DEFAULTS.ownerKey]: PROVISION_DEFAULTS.ownerValue, [PROVISION_DEFAULTS.clientKeyMetadata]: FACADE_CLIENT_KEY },
      },
    });
  }
  const resourceServers: DesiredResourceServer[] = [];
  const grants: DesiredGrant[] = [];
  for (const server of servers) {
    const scopes = serverScopes(ecosystem, server);
    const policy = { ...ecosystem.defaults.accessPolicy, ...server.accessPolicy };
    const identifiers = identifiersFor(ecosystem, server, baseDomain);
    for (const identifier of identifiers) {
      resourceServers.push({
        slug: server.slug,
        identifier,
        body: {
          name: `edge-mcp ${server.name}${identifier.endsWith("/") && identifiers.length > 1 ? " (trailing slash)" : ""}`,
          scopes: scopes.map((s) => ({ value: s.value, description: s.description })),
          signing_alg: "RS256",
          token_dialect: ecosystem.defaults.tokenDialect,
          allow_offline_access: true,
          enforce_policies: true,
          skip_consent_for_verifiable_first_party_clients: true,
          subject_type_authorization: { user: { policy: policy.user }, client: { policy: policy.client } },
        },
      });
    }
    const { grants: granted, problems } = serverGrants(ecosystem, server);
    if (problems.length > 0) throw new ProvisionError("config_invalid", problems[0]!);
    for (const grant of granted) {
      for (const audience of identifiers) grants.push({ client: grant.client, audience, subjectType: grant.subjectType, scope: [...grant.scopes] });
    }
    // The facade asks for any of the server's scopes; what a user gets is still what Auth0's RBAC
    // grants that user (the token's permissions), intersected with what the user approved.
    if (facade) {
      const all = scopes.map((s) => s.value).sort();
      for (const audience of identifiers) grants.push({ client: FACADE_CLIENT_KEY, audience, subjectType: "user", scope: all });
    }
    // CIMD clients are third-party (strict) and need a grant per API, like DCR clients: read scopes.
    const cimdScopes = scopes.map((s) => s.value).filter((s) => s.endsWith(".read")).sort();
    for (const url of ecosystem.tenant.cimdClients) {
      for (const audience of identifiers) grants.push({ client: cimdKey(url), audience, subjectType: "user", scope: cimdScopes });
    }
    if (ecosystem.tenant.dynamicClientRegistration) {
      // DCR clients are third-party and always need a grant: default to the read scopes.
      const readScopes = scopes.map((s) => s.value).filter((s) => s.endsWith(".read")).sort();
      for (const audience of identifiers) grants.push({ client: "third_party_clients", audience, subjectType: "user", scope: readScopes });
    }
  }
  if (ecosystem.operations.console !== undefined) addConsole(ecosystem, baseDomain, { resourceServers, clients, grants });
  const tokenVaultConnections: string[] = [];
  for (const server of servers) addServerApis(ecosystem, server, identifiersFor(ecosystem, server, baseDomain)[0]!, serverHost(ecosystem, server, baseDomain), { baseDomain, auth0Domain }, { resourceServers, clients, grants, tokenVaultConnections });
  return {
    tenant: {
      resource_parameter_profile: "compatibility",
      authorization_response_iss_parameter_supported: ecosystem.tenant.issuerInAuthorizationResponse,
      flags: { enable_dynamic_client_registration: ecosystem.tenant.dynamicClientRegistration },
      ...(ecosystem.tenant.cimdClients.length > 0 || ecosystem.tenant.dynamicCimd === true
        ? { client_id_metadata_document_supported: true }
        : ecosystem.tenant.dynamicCimd === false
          ? { client_id_metadata_document_supported: false }
          : {}),
    },
    domainConnections: [...ecosystem.tenant.domainConnections],
    resourceServers,
    clients,
    cimdClients: [...ecosystem.tenant.cimdClients],
    grants,
    tokenVaultConnections,
  };
}

/**
 * The operator console's Auth0 side: its API (the operator scope only, RBAC: a user's token carries
 * `fleet.read` only when a role grants it), its confidential web application (one callback), and
 * the application's grant on the API.
 */
function addConsole(ecosystem: Ecosystem, baseDomain: string, into: Pick<DesiredState, "resourceServers" | "clients" | "grants">): void {
  if (CONSOLE_CLIENT_KEY in ecosystem.clients) {
    throw new ProvisionError("config_invalid", `ecosystem.json clients: "${CONSOLE_CLIENT_KEY}" is the operator console's own application (operations.console); rename your client.`);
  }
  const audience = consoleAudience(ecosystem, baseDomain);
  into.resourceServers.push({
    slug: "console",
    identifier: audience,
    body: userOnlyApiBody("edge-mcp operator console", CONSOLE_SCOPES, ecosystem.defaults.tokenDialect),
  });
  into.clients.push({
    key: CONSOLE_CLIENT_KEY,
    profile: "regular_web_interactive",
    body: {
      name: "edge-mcp operator console",
      app_type: "regular_web",
      token_endpoint_auth_method: "client_secret_post",
      grant_types: ["authorization_code"],
      callbacks: [`${audience}callback`],
      allowed_origins: [],
      web_origins: [],
      is_first_party: true,
      oidc_conformant: true,
      client_metadata: { [PROVISION_DEFAULTS.ownerKey]: PROVISION_DEFAULTS.ownerValue, [PROVISION_DEFAULTS.clientKeyMetadata]: CONSOLE_CLIENT_KEY },
    },
  });
  into.grants.push({ client: CONSOLE_CLIENT_KEY, audience, subjectType: "user", scope: [OPERATOR_SCOPE] });
}
