import { errors, type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import type { DevAuthServerOptions, DevUser } from "./dev-auth-server.ts";
import { renderErrorPage } from "./interaction-page.ts";
import { inMemoryAdapter } from "./memory-adapter.ts";
import type { DevResourceServer } from "./resource-servers.ts";
import { staticClients } from "./static-clients.ts";

const OIDC_SCOPES = ["openid", "offline_access", "profile", "email"];

/** The signed-in user a provider request acts for, once known (authorization resumed, or a code / refresh token redeemed). */
function accountOf(ctx: KoaContextWithOIDC): string | undefined {
  const entities = ctx.oidc.entities as { Account?: { accountId: string }; AuthorizationCode?: { accountId?: string }; RefreshToken?: { accountId?: string } };
  return entities.Account?.accountId ?? entities.AuthorizationCode?.accountId ?? entities.RefreshToken?.accountId ?? ctx.oidc.session?.accountId;
}

/**
 * oidc-provider configured like an Auth0 tenant the provisioner set up: authorization code + PKCE
 * only, RFC 8707 resources with their scopes (machine clients only with a grant; the operator
 * scope only for operators), Auth0-shaped access tokens (`azp`, `permissions`), its own pages.
 */
export function providerConfiguration(options: DevAuthServerOptions, setup: { readonly resourceServers: readonly DevResourceServer[]; readonly users: ReadonlyMap<string, DevUser>; readonly ttlSeconds: number }): Configuration {
  const { resourceServers, users } = setup;
  const ttl = setup.ttlSeconds;
  const byIdentifier = new Map(resourceServers.map((r) => [r.identifier, r]));
  const machineIds = new Set((options.machineClients ?? []).map((c) => c.clientId));
  return {
    adapter: inMemoryAdapter(),
    jwks: { keys: [options.signingKey as never] },
    clients: staticClients(options),
    ...(options.clientIdMetadataDocuments?.fetch === undefined ? {} : { fetch: options.clientIdMetadataDocuments.fetch as never }),
    findAccount: (_ctx, id) => {
      const user = users.get(id);
      return { accountId: id, claims: () => ({ sub: id, ...(user === undefined ? {} : { name: user.name, email: user.email }) }) };
    },
    // What Auth0's setup for MCP uses: the authorization code flow only (no implicit, no id_token
    // in the front channel), so discovery advertises nothing the docs say is not offered.
    responseTypes: ["code"],
    // DCR clients (the MCP SDK) register with the resource scopes from the 401 challenge.
    scopes: [...new Set([...OIDC_SCOPES, ...resourceServers.flatMap((r) => r.scopes)])],
    claims: { openid: ["sub"], profile: ["name"], email: ["email"] },
    pkce: { required: () => true },
    clientBasedCORS: () => true,
    cookies: { keys: [crypto.randomUUID()] },
    // Every artifact's lifetime set here (oidc-provider prints a NOTICE for each it must default), in seconds.
    ttl: { AccessToken: ttl, ClientCredentials: ttl, IdToken: 3600, AuthorizationCode: 300, RefreshToken: 14 * 86_400, Interaction: 3600, Session: 86_400, Grant: 14 * 86_400 },
    // Auth0 issues refresh tokens to clients allowed the grant; MCP clients rarely ask offline_access.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: options.registration ?? true },
      clientIdMetadataDocument: { enabled: options.clientIdMetadataDocuments?.enabled ?? true, ack: "draft-02" },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => (oneOf?.length === 1 ? oneOf[0] : undefined),
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx: KoaContextWithOIDC, identifier: string, client) => {
          const api = byIdentifier.get(identifier);
          if (api === undefined) throw new errors.InvalidTarget(`unknown resource ${identifier}; known: ${[...byIdentifier.keys()].join(", ")}`);
          let scopes = api.scopes;
          if ((ctx.oidc.params as { grant_type?: unknown } | undefined)?.grant_type === "client_credentials") {
            // Auth0: a machine token needs a client grant on the API, and carries only its scopes.
            const granted = machineIds.has(client.clientId) ? api.machineGrants?.[client.clientId] : undefined;
            if (granted === undefined) throw new errors.UnauthorizedClient(`client is not granted access to ${identifier} (ecosystem.json / mcp.json grants)`);
            scopes = granted;
          }
          // Auth0 RBAC: the operator scope is a permission only operators hold; for anyone else the
          // API has no such scope, so their token never carries it (and nothing prompts for it again).
          const account = accountOf(ctx);
          if (options.operators !== undefined && account !== undefined && !options.operators.subjects.includes(account)) scopes = scopes.filter((s) => s !== options.operators!.scope);
          return { scope: scopes.join(" "), audience: api.identifier, accessTokenFormat: "jwt", accessTokenTTL: ttl, jwt: { sign: { alg: "RS256" } } };
        },
      },
    },
    extraTokenClaims: (_ctx, token) => {
      if (!("resourceServer" in token) || token.resourceServer === undefined) return undefined;
      const scopes = (token.scope ?? "").split(" ").filter((s) => s !== "");
      return { azp: token.clientId, permissions: scopes };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Its own error page (oidc-provider prints a NOTICE for its default one): what failed, escaped.
    renderError: (ctx, out) => {
      ctx.type = "html";
      ctx.body = renderErrorPage(String(out.error ?? "error"), String(out.error_description ?? ""));
    },
    // Where Auth0 serves it, so workers' default AUTH_JWKS_URI (`${issuer}.well-known/jwks.json`) works.
    routes: { jwks: "/.well-known/jwks.json" },
  };
}
