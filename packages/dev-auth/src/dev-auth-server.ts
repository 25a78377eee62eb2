import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { JWK } from "jose";
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import { renderConsentPage, renderErrorPage } from "./interaction-page.ts";
import type { DevMachineClient } from "./machine-clients.ts";
import { inMemoryAdapter } from "./memory-adapter.ts";
import { hostAllowed, PAGE_SECURITY_HEADERS, sameOrigin } from "./request-guard.ts";
import type { DevResourceServer } from "./resource-servers.ts";
import { ConnectedAccounts, type ConnectionProvider } from "./connected-accounts.ts";
import { myAccountApi, myAccountAudience, MY_ACCOUNT_SCOPES } from "./my-account.ts";
import { registerTokenExchange, type DevExchangeClient } from "./token-exchange.ts";
import { staticClients } from "./static-clients.ts";

export interface DevUser {
  sub: string;
  name: string;
  email: string;
}

export interface DevAuthServerOptions {
  /** e.g. http://localhost:9400/ — with a trailing slash, as Auth0 issuers have. */
  issuer: string;
  port: number;
  host?: string;
  signingKey: JWK & { kid: string };
  resourceServers: readonly DevResourceServer[];
  /** The development user the sign-in page selects by default. */
  user: DevUser;
  /** More development users the sign-in page offers (ecosystem.json `dev.extraUsers`). */
  extraUsers?: readonly DevUser[];
  /** Access token lifetime, in seconds. */
  accessTokenTtlSeconds?: number;
  /**
   * The ecosystem's machine-to-machine clients. Only these get client-credentials tokens, and
   * only for APIs whose `machineGrants` name them, with the granted scopes — like Auth0 client
   * grants. Dynamically registered clients never do.
   */
  machineClients?: readonly DevMachineClient[];
  /**
   * The edge OAuth facade's confidential application (`npm run dev -- --auth facade`), like the
   * one the provisioner creates in Auth0: authorization code + PKCE, one fixed callback.
   */
  facadeClient?: { readonly clientId: string; readonly clientSecret: string; readonly redirectUri: string };
  /**
   * Confidential web applications (authorization code + PKCE, client secret), like the regular web
   * applications the provisioner creates in Auth0: the operator console.
   */
  webClients?: ReadonlyArray<{ readonly clientId: string; readonly clientSecret: string; readonly redirectUris: readonly string[]; readonly name: string }>;
  /**
   * A scope only some users are granted, as Auth0 RBAC grants a permission through a role: the
   * operator scope (`fleet.read`) for the listed subjects; anyone else signs in without it.
   */
  operators?: { readonly scope: string; readonly subjects: readonly string[] };
  /** MCP servers' exchanging clients (Auth0 Custom API clients): on-behalf-of exchange and Token Vault. */
  exchangeClients?: readonly DevExchangeClient[];
  /** Third-party connections users can connect accounts to (Token Vault); the My Account API serves the connect flow. */
  connections?: readonly ConnectionProvider[];
  /** Open dynamic client registration (default on; off in facade mode, as on a tenant behind the facade). */
  registration?: boolean;
  /**
   * Client ID Metadata Documents (Auth0's CIMD support; default on): an https `client_id` is
   * fetched and validated by oidc-provider (draft-02, its special-use-IP guard, no redirects).
   * `fetch` replaces the network for that fetch: tests publish their documents through it.
   */
  clientIdMetadataDocuments?: { readonly enabled: boolean; readonly fetch?: typeof fetch };
}

export interface DevAuthServer {
  readonly issuer: string;
  readonly provider: Provider;
  /** The stand-in's Token Vault: users' connected accounts. */
  readonly connectedAccounts: ConnectedAccounts;
  close(): Promise<void>;
}

const OIDC_SCOPES = ["openid", "offline_access", "profile", "email"];
/** oidc-provider's authorization endpoint (its default route). */
const AUTHORIZATION_PATH = "/auth";

/**
 * The local Auth0 stand-in (oidc-provider), configured like a tenant the provisioner set up:
 * discovery (OIDC and RFC 8414), JWKS, authorization code + PKCE (S256 only), refresh tokens,
 * client credentials, open dynamic client registration, and RFC 8707 `resource` selecting
 * the audience (Auth0's "Resource Parameter Compatibility Profile"). Access tokens are RS256
 * JWTs in Auth0's rfc9068_profile_authz shape (`aud`, `azp`/`client_id`, `scope`, `permissions`).
 */
/** The signed-in user a provider request acts for, once known (authorization resumed, or a code / refresh token redeemed). */
function accountOf(ctx: KoaContextWithOIDC): string | undefined {
  const entities = ctx.oidc.entities as { Account?: { accountId: string }; AuthorizationCode?: { accountId?: string }; RefreshToken?: { accountId?: string } };
  return entities.Account?.accountId ?? entities.AuthorizationCode?.accountId ?? entities.RefreshToken?.accountId ?? ctx.oidc.session?.accountId;
}

export async function startDevAuthServer(options: DevAuthServerOptions): Promise<DevAuthServer> {
  const connectedAccounts = new ConnectedAccounts(options.connections ?? []);
  // The My Account API (Connected Accounts) exists on every tenant; here when there is something to connect.
  const resourceServers = (options.connections ?? []).length === 0 ? options.resourceServers : [...options.resourceServers, { slug: "my-account", name: "My Account API", identifier: myAccountAudience(options.issuer), scopes: [...MY_ACCOUNT_SCOPES] }];
  const byIdentifier = new Map(resourceServers.map((r) => [r.identifier, r]));
  const ttl = options.accessTokenTtlSeconds ?? 3600;

  const users = new Map([options.user, ...(options.extraUsers ?? [])].map((u) => [u.sub, u]));
  const machineIds = new Set((options.machineClients ?? []).map((c) => c.clientId));
  const configuration: Configuration = {
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

  const provider = new Provider(options.issuer, configuration);
  provider.proxy = false;
  registerTokenExchange(provider, { issuer: options.issuer, signingKey: options.signingKey, resourceServers, exchangeClients: options.exchangeClients ?? [], connectedAccounts, ttlSeconds: ttl, ...(options.operators === undefined ? {} : { operators: options.operators }) });
  const myAccount = myAccountApi({ issuer: options.issuer, signingKey: options.signingKey, accounts: connectedAccounts });
  const callback = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, confirm: boolean): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new errors.SessionNotFound("interaction mismatch");
    const params = details.params as { client_id: string; scope?: string; resource?: string | string[] };
    const requested = (params.scope ?? "").split(" ").filter((s) => s !== "");
    const resources = (Array.isArray(params.resource) ? params.resource : params.resource ? [params.resource] : []).map((identifier) => ({
      identifier,
      scopes: requested.filter((s) => byIdentifier.get(identifier)?.scopes.includes(s)),
    }));
    if (!confirm) {
      const client = await provider.Client.find(params.client_id);
      const html = renderConsentPage({ uid, clientName: client?.clientName ?? params.client_id, users: [...users.values()], resources });
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(html);
      return;
    }
    const body = await readForm(req);
    if (body.get("decision") !== "approve") {
      await provider.interactionFinished(req, res, { error: "access_denied", error_description: "The user denied the request." }, { mergeWithLastSubmission: false });
      return;
    }
    // The user picked on the page: one of the dev users, nobody else.
    const accountId = body.get("user") ?? options.user.sub;
    if (!users.has(accountId)) throw new errors.InvalidRequest("unknown dev user");
    // One click grants everything asked for: the provider counts every scope it knows (resource
    // scopes included, for DCR) as requested OIDC scope, and each resource its own scopes.
    const grant = new provider.Grant({ accountId, clientId: params.client_id });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
    // Auth0 RBAC: the operator scope only for operators, whatever the client asked for.
    const allowed = (scopes: readonly string[]) => scopes.filter((s) => options.operators === undefined || s !== options.operators.scope || options.operators.subjects.includes(accountId));
    // (OIDC scopes as asked: the provider counts resource scopes among them, and access tokens take theirs from the resource grant.)
    const oidcScopes = [...new Set([...requested, ...(missing.missingOIDCScope ?? [])])];
    if (oidcScopes.length > 0) grant.addOIDCScope(oidcScopes.join(" "));
    for (const r of resources) grant.addResourceScope(r.identifier, allowed(r.scopes).join(" "));
    for (const [identifier, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(identifier, allowed(scopes).join(" "));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  const server: Server = createServer((req, res) => {
    // Every answer refuses framing, error pages and oidc-provider's own pages included (a
    // framed error page was found by the browser test: only the sign-in page carried them).
    for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) res.setHeader(name, value);
    // DNS rebinding: a web page on another name that resolves here must not reach this server.
    if (!hostAllowed(req.headers.host, options.port)) {
      res.writeHead(403, { "content-type": "text/plain" }).end("Host not allowed: the local authorization server answers only to localhost and 127.0.0.1.");
      return;
    }
    const url = new URL(req.url ?? "/", options.issuer);
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/confirm)?$/.exec(url.pathname);
    if (match !== null) {
      const confirm = match[2] !== undefined;
      if ((confirm && req.method !== "POST") || (!confirm && req.method !== "GET")) {
        res.writeHead(405).end();
        return;
      }
      // Consent CSRF: the click must come from this server's own page (the browser's Origin).
      if (confirm && !sameOrigin(req.headers.origin, options.issuer, options.port)) {
        res.writeHead(403, { "content-type": "text/plain" }).end("Forbidden: the consent form must be submitted from the sign-in page itself.");
        return;
      }
      interaction(req, res, match[1]!, confirm).catch((error: unknown) => {
        res.writeHead(400, { "content-type": "text/plain" }).end(`Interaction failed: ${error instanceof Error ? error.message : "unknown error"}. Start the sign-in again from your client.`);
      });
      return;
    }
    if (url.pathname.startsWith("/me/v1/") || url.pathname.startsWith("/connected-accounts/")) {
      myAccount(req, res, url)
        .then((served) => (served ? undefined : res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not_found"}')))
        .catch(() => res.writeHead(400, { "content-type": "application/json" }).end('{"error":"invalid_request"}'));
      return;
    }
    // RFC 8414 discovery: the same document as OIDC discovery (MCP clients look here first).
    if (url.pathname === "/.well-known/oauth-authorization-server") req.url = `/.well-known/openid-configuration${url.search}`;
    // A resource asked for with no scope (a client whose server lists none): Auth0 signs the user in
    // and issues a token with no permission scopes, after which the server's 403 insufficient_scope
    // challenge leads the client to ask for more (MCP's step-up). oidc-provider refuses a request that
    // would grant no scope at all (access_denied), so `openid` is asked for on the client's behalf: an
    // OIDC scope, never in the access token's `scope` or `permissions` for the resource.
    if (url.pathname === AUTHORIZATION_PATH && req.method === "GET" && url.searchParams.has("resource") && (url.searchParams.get("scope") ?? "").trim() === "") {
      url.searchParams.set("scope", "openid");
      req.url = `${url.pathname}${url.search}`;
    }
    callback(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new Error(`Port ${options.port} is in use: stop what runs there, or set dev.issuerPort in ecosystem.json.`) : error),
    );
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  return {
    issuer: options.issuer,
    provider,
    connectedAccounts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 16_384) throw new Error("form too large");
  }
  return new URLSearchParams(body);
}
