import { createTokenVerifier, discoverAuthorizationServer, type TokenVerifier } from "@edge-mcp/auth";
import type { DeclaredApi } from "./apis-config.ts";
import { DownstreamError } from "../base/downstream-errors.ts";
import type { ExchangedToken } from "./token-cache.ts";

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const TOKEN_VAULT = "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
const FEDERATED_TOKEN_TYPE = "http://auth0.com/oauth/token-type/federated-connection-access-token";

/** How long the authorization server may take to answer an exchange, in milliseconds. */
export const EXCHANGE_TIMEOUT_MS = 10_000;

/** What one exchange needs: where, as whom, for whom — the subject token goes nowhere but `token_endpoint`. */
export interface ExchangeContext {
  readonly issuer: string;
  readonly jwksUri: string | undefined;
  readonly client: { readonly id: string; readonly secret: string };
  readonly subjectToken: string;
  /** The verified caller's `sub`: the exchanged token must be for the same user. */
  readonly subject: string;
  readonly fetchImpl?: typeof fetch;
}

/** Per isolate: an authorization server that answered 429 is not asked again before its Retry-After. */
const backoffUntil = new Map<string, number>();

const verifiers = new Map<string, TokenVerifier>();
function verifierFor(issuer: string, audience: string, jwksUri: string | undefined): TokenVerifier {
  const key = `${issuer}\u0000${audience}\u0000${jwksUri ?? ""}`;
  let verifier = verifiers.get(key);
  if (verifier === undefined) verifiers.set(key, (verifier = createTokenVerifier({ issuer, audiences: [audience], ...(jwksUri === undefined ? {} : { jwksUri }) })));
  return verifier;
}

/** The error code an OAuth error answer names, bounded (it goes into a message). */
function errorCodeOf(body: unknown): string {
  const code = (body as { error?: unknown } | null)?.error;
  return typeof code === "string" ? code.replace(/[^A-Za-z0-9_.-]/g, "").slice(0, 64) : "unknown";
}

async function post(ctx: ExchangeContext, name: string, params: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const until = backoffUntil.get(ctx.issuer) ?? 0;
  if (until > Date.now()) {
    const seconds = Math.ceil((until - Date.now()) / 1000);
    throw new DownstreamError("rate_limited", name, `The authorization server is rate-limiting token exchanges: try again in ${seconds} s.`, { retryAfterSeconds: seconds });
  }
  let res: Response;
  try {
    const { token_endpoint } = await discoverAuthorizationServer(ctx.issuer, ctx.fetchImpl);
    res = await (ctx.fetchImpl ?? fetch)(token_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({ ...params, client_id: ctx.client.id, client_secret: ctx.client.secret, subject_token: ctx.subjectToken, subject_token_type: ACCESS_TOKEN_TYPE }),
      signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS),
    });
  } catch {
    throw new DownstreamError("authorization_server_unavailable", name, `The authorization server could not be reached to get a token for "${name}": try again shortly.`);
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.status === 429) {
    // RFC 6585 §4 / RFC 9110 §10.2.3: Retry-After in seconds (bounded: a broken header waits a minute at most).
    const seconds = Math.min(Math.max(Number(res.headers.get("retry-after")) || 1, 1), 60);
    backoffUntil.set(ctx.issuer, Date.now() + seconds * 1000);
    throw new DownstreamError("rate_limited", name, `The authorization server is rate-limiting token exchanges: try again in ${seconds} s.`, { retryAfterSeconds: seconds });
  }
  if (res.status >= 500) throw new DownstreamError("authorization_server_unavailable", name, `The authorization server failed to issue a token for "${name}" (HTTP ${res.status}): try again shortly.`);
  if (res.status === 401 && errorCodeOf(body) === "invalid_client") throw new DownstreamError("misconfigured", name, "The server's exchanging client was refused (invalid_client): check MCP_EXCHANGE_CLIENT_ID and MCP_EXCHANGE_CLIENT_SECRET.");
  return { status: res.status, body };
}

function expiryOf(body: Record<string, unknown>): number {
  const seconds = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 300;
  return Date.now() + seconds * 1000;
}

/**
 * RFC 8693 on-behalf-of exchange for a first-party API, and the result checked like a token the
 * API will see: signature, issuer, audience = the API, `sub` = the caller, `act` naming this
 * server's exchanging client where the authorization server sets it, and no scope beyond those
 * asked for (never widened).
 */
export async function exchangeFirstParty(ctx: ExchangeContext, name: string, api: Extract<DeclaredApi, { kind: "first-party" }>): Promise<ExchangedToken> {
  const { status, body } = await post(ctx, name, { grant_type: TOKEN_EXCHANGE, audience: api.audience, resource: api.audience, scope: api.scopes.join(" "), requested_token_type: ACCESS_TOKEN_TYPE });
  if (status !== 200 || typeof body.access_token !== "string") throw new DownstreamError("exchange_refused", name, `The authorization server refused a token for "${name}" (${errorCodeOf(body)}): is its audience on the exchanging client's allow-list, and may this user use it?`);
  const token = body.access_token;
  let verified;
  try {
    verified = await verifierFor(ctx.issuer, api.audience, ctx.jwksUri).verify(token);
  } catch {
    throw new DownstreamError("exchange_refused", name, `The token issued for "${name}" did not verify (issuer, audience ${api.audience}, signature or expiry).`);
  }
  const act = (verified.claims as { act?: { sub?: unknown } }).act;
  if (verified.subject !== ctx.subject) throw new DownstreamError("exchange_refused", name, `The token issued for "${name}" is for another user.`);
  if (act !== undefined && act.sub !== ctx.client.id) throw new DownstreamError("exchange_refused", name, `The token issued for "${name}" names another actor than this server.`);
  const wider = verified.scopes.filter((s) => !api.scopes.includes(s));
  if (wider.length > 0) throw new DownstreamError("exchange_refused", name, `The token issued for "${name}" carries scopes not asked for (${wider.join(" ").slice(0, 200)}).`);
  return { accessToken: token, expiresAt: Math.min(expiryOf(body), verified.expiresAt * 1000), scopes: verified.scopes };
}

/**
 * Auth0 Token Vault: the provider access token of the caller's connected account for a
 * connection. No connected account (a 401 that is not about our client) is `not_connected`.
 */
export async function exchangeThirdParty(ctx: ExchangeContext, name: string, api: Extract<DeclaredApi, { kind: "third-party" }>, connectUrl: () => Promise<string>): Promise<ExchangedToken> {
  const { status, body } = await post(ctx, name, { grant_type: TOKEN_VAULT, requested_token_type: FEDERATED_TOKEN_TYPE, connection: api.connection });
  if (status === 401) throw new DownstreamError("not_connected", name, `Connect your ${api.connection} account to use "${name}".`, { connectUrl: await connectUrl() });
  if (status !== 200 || typeof body.access_token !== "string") throw new DownstreamError("exchange_refused", name, `The authorization server refused a ${api.connection} token for "${name}" (${errorCodeOf(body)}).`);
  const scopes = typeof body.scope === "string" ? body.scope.split(" ").filter((s) => s !== "") : [...api.scopes];
  return { accessToken: body.access_token, expiresAt: expiryOf(body), scopes };
}
