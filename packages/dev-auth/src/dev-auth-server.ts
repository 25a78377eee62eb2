import { createServer, type Server } from "node:http";
import type { JWK } from "jose";
import Provider from "oidc-provider";
import type { DevMachineClient } from "./machine-clients.ts";
import { hostAllowed, PAGE_SECURITY_HEADERS, sameOrigin } from "./request-guard.ts";
import type { DevResourceServer } from "./resource-servers.ts";
import { ConnectedAccounts, type ConnectionProvider } from "./connected-accounts.ts";
import { myAccountApi, myAccountAudience, MY_ACCOUNT_SCOPES } from "./my-account.ts";
import { registerTokenExchange, type DevExchangeClient } from "./token-exchange.ts";
import { providerConfiguration } from "./provider-configuration.ts";
import { signInInteraction } from "./sign-in-interaction.ts";

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

/** oidc-provider's authorization endpoint (its default route). */
const AUTHORIZATION_PATH = "/auth";

/**
 * The local Auth0 stand-in (oidc-provider), configured like a tenant the provisioner set up:
 * discovery (OIDC and RFC 8414), JWKS, authorization code + PKCE (S256 only), refresh tokens,
 * client credentials, open dynamic client registration, and RFC 8707 `resource` selecting
 * the audience (Auth0's "Resource Parameter Compatibility Profile"). Access tokens are RS256
 * JWTs in Auth0's rfc9068_profile_authz shape (`aud`, `azp`/`client_id`, `scope`, `permissions`).
 */
export async function startDevAuthServer(options: DevAuthServerOptions): Promise<DevAuthServer> {
  const connectedAccounts = new ConnectedAccounts(options.connections ?? []);
  // The My Account API (Connected Accounts) exists on every tenant; here when there is something to connect.
  const resourceServers = (options.connections ?? []).length === 0 ? options.resourceServers : [...options.resourceServers, { slug: "my-account", name: "My Account API", identifier: myAccountAudience(options.issuer), scopes: [...MY_ACCOUNT_SCOPES] }];
  const ttl = options.accessTokenTtlSeconds ?? 3600;

  const users = new Map([options.user, ...(options.extraUsers ?? [])].map((u) => [u.sub, u]));
  const configuration = providerConfiguration(options, { resourceServers, users, ttlSeconds: ttl });

  const provider = new Provider(options.issuer, configuration);
  provider.proxy = false;
  registerTokenExchange(provider, { issuer: options.issuer, signingKey: options.signingKey, resourceServers, exchangeClients: options.exchangeClients ?? [], connectedAccounts, ttlSeconds: ttl, ...(options.operators === undefined ? {} : { operators: options.operators }) });
  const myAccount = myAccountApi({ issuer: options.issuer, signingKey: options.signingKey, accounts: connectedAccounts });
  const callback = provider.callback();

  const interaction = signInInteraction(provider, { users, resourceServers, defaultUser: options.user.sub, ...(options.operators === undefined ? {} : { operators: options.operators }) });

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
