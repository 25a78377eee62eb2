import { isFirstParty, type Ecosystem, type ServerManifest } from "@edge-mcp/config";
import { PROVISION_DEFAULTS } from "./defaults.ts";
import type { DesiredResourceServer, DesiredState } from "./desired-state.ts";
import { ProvisionError } from "./errors.ts";

/** Auth0 Token Vault's grant type: the exchanging client asks for a connected account's token. */
export const TOKEN_VAULT_GRANT = "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token";

/** The tenant's My Account API (activated in the dashboard), whose connected-accounts endpoints the connect flow calls. */
export const myAccountApi = (auth0Domain: string) => `https://${auth0Domain}/me/`;
export const MY_ACCOUNT_CONNECT_SCOPE = "create:me:connected_accounts";

/**
 * The body of an API that only users reach, each application by client grant (RBAC on, no
 * machine clients, no refresh): the operator console's and the downstream APIs edge-mcp owns.
 */
export function userOnlyApiBody(name: string, scopes: ReadonlyArray<{ value: string; description: string }>, tokenDialect: string): DesiredResourceServer["body"] {
  return {
    name,
    scopes: scopes.map((s) => ({ ...s })),
    signing_alg: "RS256" as const,
    token_dialect: tokenDialect,
    allow_offline_access: false,
    enforce_policies: true,
    skip_consent_for_verifiable_first_party_clients: true,
    subject_type_authorization: { user: { policy: "require_client_grant" }, client: { policy: "deny_all" } },
  };
}

/** A server's exchanging client (Auth0 Custom API client) and its connect-flow client, by key. */
export const exchangeClientKey = (slug: string) => `${slug}-exchange`;
export const connectClientKey = (slug: string) => `${slug}-connect`;

const marker = (key: string) => ({ [PROVISION_DEFAULTS.ownerKey]: PROVISION_DEFAULTS.ownerValue, [PROVISION_DEFAULTS.clientKeyMetadata]: key });
const fill = (url: string, baseDomain: string) => url.replaceAll("{base_domain}", baseDomain);

/**
 * What Auth0 needs for one server's mcp.json `apis` (issue 25 §5):
 * - the server's exchanging client: a Custom API client (`app_type: "resource_server"`) tied to the
 *   server's API, on-behalf-of token exchange enabled, and the Token Vault grant when it declares a
 *   third-party API;
 * - the first-party APIs edge-mcp owns (`owned: true`), with their scopes, and the exchanging
 *   client's user grant on each of them (the scopes it may ask for);
 * - for third-party APIs, the connect-flow web application (callback `/connect/callback` on the
 *   server's host) with user access to the tenant's My Account API (`create:me:connected_accounts`,
 *   a client grant of subject type user), and Token Vault (connected accounts) on each named connection.
 * The `token_exchange` field's exact shape could not be checked against Auth0 offline
 * (docs/provisioning.md says so).
 */
export function addServerApis(ecosystem: Ecosystem, server: ServerManifest, serverIdentifier: string, serverHost: string, tenant: { baseDomain: string; auth0Domain: string }, into: Pick<DesiredState, "resourceServers" | "clients" | "grants" | "tokenVaultConnections">): void {
  const apis = Object.entries(server.apis);
  if (apis.length === 0) return;
  const { baseDomain } = tenant;
  const exchangeKey = exchangeClientKey(server.slug);
  const connectKey = connectClientKey(server.slug);
  for (const key of [exchangeKey, connectKey]) {
    if (key in ecosystem.clients) throw new ProvisionError("config_invalid", `ecosystem.json clients: "${key}" is the application edge-mcp creates for workers/${server.slug}'s apis; rename your client.`);
  }
  const thirdParty = apis.filter(([, api]) => !isFirstParty(api));
  into.clients.push({
    key: exchangeKey,
    profile: "service_m2m",
    body: {
      name: `edge-mcp ${server.name} (token exchange)`,
      app_type: "resource_server",
      resource_server_identifier: serverIdentifier,
      token_endpoint_auth_method: "client_secret_post",
      grant_types: thirdParty.length > 0 ? [TOKEN_VAULT_GRANT] : [],
      token_exchange: { allow_any_profile_of_type: ["on_behalf_of_token_exchange"] },
      callbacks: [],
      allowed_origins: [],
      web_origins: [],
      is_first_party: true,
      oidc_conformant: true,
      client_metadata: marker(exchangeKey),
    },
  });
  for (const [name, api] of apis) {
    if (!isFirstParty(api)) continue;
    const audience = fill(api.audience, baseDomain);
    if (api.owned && !into.resourceServers.some((r) => r.identifier === audience)) {
      const scopes = api.scopes.map((value) => ({ value, description: `${value} (acted on as the user by ${server.name})` }));
      into.resourceServers.push({ slug: `${server.slug}:${name}`, identifier: audience, body: userOnlyApiBody(`edge-mcp API ${name}`, scopes, ecosystem.defaults.tokenDialect) });
    }
    if (api.owned) into.grants.push({ client: exchangeKey, audience, subjectType: "user", scope: [...api.scopes].sort() });
  }
  if (thirdParty.length === 0) return;
  into.clients.push({
    key: connectKey,
    profile: "regular_web_interactive",
    body: {
      name: `edge-mcp ${server.name} (connect accounts)`,
      app_type: "regular_web",
      token_endpoint_auth_method: "client_secret_post",
      grant_types: ["authorization_code"],
      callbacks: [`https://${serverHost}/connect/callback`],
      allowed_origins: [],
      web_origins: [],
      is_first_party: true,
      oidc_conformant: true,
      client_metadata: marker(connectKey),
    },
  });
  // The connect flow asks the My Account API, as the user, to connect the account (Auth0 Connected Accounts).
  const myAccount = myAccountApi(tenant.auth0Domain);
  into.grants.push({
    client: connectKey,
    audience: myAccount,
    subjectType: "user",
    scope: [MY_ACCOUNT_CONNECT_SCOPE],
    whenMissing: `The application "${connectKey}" needs the tenant's My Account API (${myAccount}) to connect accounts, and it is not activated: activate it (Dashboard → Applications → APIs → My Account API), then run again.`,
  });
  for (const [, api] of thirdParty) if (!isFirstParty(api) && !into.tokenVaultConnections.includes(api.connection)) into.tokenVaultConnections.push(api.connection);
}
