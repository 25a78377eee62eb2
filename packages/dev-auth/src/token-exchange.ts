import { importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from "jose";
import type Provider from "oidc-provider";
import type { KoaContextWithOIDC } from "oidc-provider";
import type { ConnectedAccounts } from "./connected-accounts.ts";
import type { DevResourceServer } from "./resource-servers.ts";

/** RFC 8693 token exchange: Auth0's On-Behalf-Of exchange for first-party APIs. */
export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
/** Auth0 Token Vault: a connected account's provider access token for a connection. */
export const TOKEN_VAULT_GRANT = "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token";
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
export const FEDERATED_TOKEN_TYPE = "http://auth0.com/oauth/token-type/federated-connection-access-token";

/** How deep `act` may nest (Auth0: five levels of delegation). */
const MAX_ACT_DEPTH = 5;

/**
 * An MCP server's exchanging client, as Auth0 holds it: a Custom API client tied to the server's
 * API (subject tokens must be for that API), allowed to exchange for these first-party audiences
 * and these Token Vault connections.
 */
export interface DevExchangeClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The MCP server's API identifier: the only audience a subject token may carry. */
  readonly api: string;
  readonly audiences: readonly string[];
  readonly connections: readonly string[];
}

interface ExchangeOptions {
  readonly issuer: string;
  readonly signingKey: JWK & { kid: string };
  readonly resourceServers: readonly DevResourceServer[];
  readonly exchangeClients: readonly DevExchangeClient[];
  readonly connectedAccounts: ConnectedAccounts;
  readonly ttlSeconds: number;
  readonly operators?: { readonly scope: string; readonly subjects: readonly string[] };
}

/** An OAuth error answer (RFC 6749 §5.2 shape) with its status. */
function refuse(ctx: KoaContextWithOIDC, status: number, error: string, description: string): void {
  ctx.status = status;
  ctx.body = { error, error_description: description };
}

function depthOf(act: unknown): number {
  let depth = 0;
  for (let a = act as { act?: unknown } | undefined; a !== undefined && a !== null && typeof a === "object"; a = a.act as { act?: unknown } | undefined) depth++;
  return depth;
}

/**
 * Registers both exchanges on the stand-in, with Auth0's checks: the client must be an exchanging
 * client (client authentication done by oidc-provider), the subject token one this server issued
 * for that client's own API, unexpired; the audience on the client's allow-list; scopes only those
 * the API defines and the user may hold; the result names the client in `act` (nested, at most 5).
 */
export function registerTokenExchange(provider: Provider, options: ExchangeOptions): void {
  const clients = new Map(options.exchangeClients.map((c) => [c.clientId, c]));
  const apis = new Map(options.resourceServers.map((r) => [r.identifier, r]));
  const publicKey = (async () => {
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = options.signingKey as JWK & Record<string, unknown>;
    return importJWK(pub as JWK, "RS256");
  })();
  const privateKey = importJWK(options.signingKey, "RS256");

  /** The subject token, verified as this server's access token for the client's own API; or undefined after refusing. */
  async function subjectOf(ctx: KoaContextWithOIDC, client: DevExchangeClient): Promise<JWTPayload | undefined> {
    const params = ctx.oidc.params as Record<string, string | undefined>;
    if (params.subject_token_type !== ACCESS_TOKEN_TYPE || typeof params.subject_token !== "string") {
      refuse(ctx, 400, "invalid_request", `subject_token (an access token, subject_token_type ${ACCESS_TOKEN_TYPE}) is required`);
      return undefined;
    }
    try {
      const { payload } = await jwtVerify(params.subject_token, await publicKey, { issuer: options.issuer, audience: client.api, algorithms: ["RS256"] });
      if (typeof payload.sub !== "string") throw new Error("no sub");
      if (depthOf(payload.act) >= MAX_ACT_DEPTH) throw new Error("delegation too deep");
      return payload;
    } catch {
      refuse(ctx, 400, "invalid_grant", `subject_token is not a valid access token for ${client.api}`);
      return undefined;
    }
  }

  async function onBehalfOf(ctx: KoaContextWithOIDC): Promise<void> {
    const client = clients.get(ctx.oidc.client!.clientId);
    if (client === undefined) return refuse(ctx, 400, "unauthorized_client", "this client is not allowed to exchange tokens");
    const params = ctx.oidc.params as Record<string, string | undefined>;
    const audience = params.audience ?? params.resource;
    if (audience === undefined || !client.audiences.includes(audience)) return refuse(ctx, 403, "access_denied", `this client may not exchange for ${audience ?? "(no audience)"}`);
    const api = apis.get(audience);
    if (api === undefined) return refuse(ctx, 400, "invalid_target", `unknown API ${audience}`);
    const subject = await subjectOf(ctx, client);
    if (subject === undefined) return;
    const userMay = (s: string) => options.operators === undefined || s !== options.operators.scope || options.operators.subjects.includes(String(subject.sub));
    const requested = (params.scope ?? api.scopes.join(" ")).split(" ").filter((s) => s !== "");
    const scopes = requested.filter((s) => api.scopes.includes(s) && userMay(s));
    const act = subject.act === undefined ? { sub: client.clientId } : { sub: client.clientId, act: subject.act };
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ azp: client.clientId, client_id: client.clientId, scope: scopes.join(" "), permissions: scopes, act })
      .setProtectedHeader({ alg: "RS256", kid: options.signingKey.kid, typ: "at+jwt" })
      .setIssuer(options.issuer)
      .setSubject(String(subject.sub))
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + options.ttlSeconds)
      .setJti(crypto.randomUUID())
      .sign(await privateKey);
    ctx.body = { access_token: token, issued_token_type: ACCESS_TOKEN_TYPE, token_type: "Bearer", expires_in: options.ttlSeconds, scope: scopes.join(" ") };
  }

  async function tokenVault(ctx: KoaContextWithOIDC): Promise<void> {
    const client = clients.get(ctx.oidc.client!.clientId);
    if (client === undefined) return refuse(ctx, 400, "unauthorized_client", "this client is not allowed to use Token Vault");
    const params = ctx.oidc.params as Record<string, string | undefined>;
    if (params.requested_token_type !== FEDERATED_TOKEN_TYPE) return refuse(ctx, 400, "invalid_request", `requested_token_type must be ${FEDERATED_TOKEN_TYPE}`);
    const connection = params.connection;
    if (connection === undefined || !client.connections.includes(connection)) return refuse(ctx, 403, "access_denied", `this client may not use the connection ${connection ?? "(none)"}`);
    const subject = await subjectOf(ctx, client);
    if (subject === undefined) return;
    const held = await options.connectedAccounts.accessTokenFor(String(subject.sub), connection);
    // No connected account for this user and connection (Auth0 answers 401): the user must connect it first.
    if (held === undefined) return refuse(ctx, 401, "federated_connection_refresh_token_not_found", `the user has not connected a ${connection} account`);
    ctx.body = { access_token: held.accessToken, issued_token_type: FEDERATED_TOKEN_TYPE, token_type: "Bearer", expires_in: Math.max(0, Math.floor((held.expiresAt - Date.now()) / 1000)), scope: held.scopes.join(" ") };
  }

  provider.registerGrantType(TOKEN_EXCHANGE_GRANT, onBehalfOf, ["subject_token", "subject_token_type", "audience", "scope", "requested_token_type", "actor_token", "actor_token_type"]);
  provider.registerGrantType(TOKEN_VAULT_GRANT, tokenVault, ["subject_token", "subject_token_type", "requested_token_type", "connection", "login_hint", "scope"]);
}
