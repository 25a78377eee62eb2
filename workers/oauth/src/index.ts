import type { OAuthAuthorizationServer, OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import { enforceBudget, RateLimitedError, RateLimitCounter } from "@edge-mcp/server/rate-limiting";
import { WorkerEntrypoint } from "cloudflare:workers";
import { answerConsent, finishSignIn, showConsent, type GrantProps } from "./authorize.ts";
import { checkClientIdUrl } from "./cimd-guard.ts";
import { REFRESH_REUSED, ROUTES, serverFor, type Env } from "./authorization-server.ts";
import { FACADE_DEFAULTS, readFacadeConfig, type FacadeConfig } from "./config.ts";
import { FacadeError } from "./errors.ts";
import { facadeErrorResponse } from "./error-page.ts";
import { markRefreshTokenUsed, refreshTokenUse, revokeReusedFamily } from "./refresh-reuse.ts";
import { readBody, type ReadBody } from "./request-body.ts";
import { refuseLibraryRedirects } from "./outbound-guard.ts";

export { RateLimitCounter };

// Client metadata is taken only from a 200 at its own URL: no redirect is followed (outbound-guard.ts).
refuseLibraryRedirects();
export type { Env };

async function handle(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  let config: FacadeConfig | undefined;
  try {
    config = readFacadeConfig(env);
    const server = serverFor(config);
    const oauth: OAuthHelpers = server.getOAuthApi(env);
    if (url.pathname === ROUTES.authorize && request.method === "GET") {
      await limitPerAddress(request, env, "authorize", config.authorizePerIpPerHour, "Too many sign-ins started from this address; try again later.");
      return await showConsent(request, oauth, config);
    }
    if (url.pathname === ROUTES.authorize && request.method === "POST") return await answerConsent(await readBody(request, "form"), oauth, config);
    if (url.pathname === ROUTES.callback && request.method === "GET") return await finishSignIn(request, oauth, config);
    if (url.pathname === ROUTES.register && request.method === "POST") {
      await limitRegistrations(request, env, config);
      return await server.fetch((await readBody(request, "json")).request, env, ctx);
    }
    if (url.pathname === ROUTES.token && request.method === "POST") return await tokenEndpoint(await readBody(request, "form"), env, ctx, server, oauth, config);
    // Anything else (metadata, preflights, other methods) carries no body the facade reads.
    return await server.fetch(request, env, ctx);
  } catch (error) {
    if (error instanceof FacadeError) return facadeErrorResponse(error, request.method === "POST" && url.pathname !== ROUTES.authorize);
    const detail = error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : "unknown";
    console.error(JSON.stringify({ level: "error", message: "oauth facade: unhandled error", path: url.pathname, error: detail }));
    return Response.json({ error: "server_error", error_description: "Internal error" }, { status: 500 });
  }
}

/** DCR, rate-limited per client IP (RFC 7591 endpoints are open to anyone; this keeps them cheap). */
async function limitRegistrations(request: Request, env: Env, config: FacadeConfig): Promise<void> {
  if (config.dcrPerIpPerHour === 0) throw new FacadeError("rate_limited", "Dynamic client registration is off here; use a client ID metadata document (CIMD).");
  await limitPerAddress(request, env, "dcr", config.dcrPerIpPerHour, "Too many client registrations from this address; try again later.");
}

/**
 * What anyone may do anonymously, budgeted per client address per hour: registrations, and sign-ins
 * started (each GET /authorize stores its pending request before anyone has signed in).
 */
async function limitPerAddress(request: Request, env: Env, what: "dcr" | "authorize", perHour: number, message: string): Promise<void> {
  const ip = request.headers.get("cf-connecting-ip") ?? "local";
  try {
    await enforceBudget(env, `${what}|${ip}`, { requests: perHour, windowSeconds: 3600 });
  } catch (error) {
    if (error instanceof RateLimitedError) throw new FacadeError("rate_limited", message, { retryAfterSeconds: error.retryAfterSeconds });
    throw error;
  }
}

/**
 * The token endpoint: the CIMD guard on the client id, then the library. A refresh token used
 * before (past the grace for a lost response), or older than the library's previous one, revokes
 * its family (refresh-reuse.ts); a refresh token's first use is remembered.
 */
async function tokenEndpoint(body: ReadBody, env: Env, ctx: ExecutionContext, server: OAuthAuthorizationServer<Env>, oauth: OAuthHelpers, config: FacadeConfig): Promise<Response> {
  const form = body.form!;
  const clientId = form.get("client_id");
  if (clientId !== null) checkClientIdUrl(clientId, config.cimdAllowLoopback);
  const refreshToken = form.get("grant_type") === "refresh_token" ? form.get("refresh_token") : null;
  const now = Math.floor(Date.now() / 1000);
  if (refreshToken !== null && (await refreshTokenUse(env.OAUTH_KV, refreshToken, now, FACADE_DEFAULTS.refreshReuseGraceSeconds)) === "reused") {
    return reuseDetected(oauth, refreshToken, Response.json({ error: "invalid_grant", error_description: "Invalid refresh token" }, { status: 400, headers: { "cache-control": "no-store" } }));
  }
  const response = await server.fetch(body.request, env, ctx);
  if (refreshToken !== null && response.status === 200) await markRefreshTokenUsed(env.OAUTH_KV, refreshToken, now, FACADE_DEFAULTS.refreshTokenIdleTtlSeconds);
  if (!response.headers.has(REFRESH_REUSED)) return response;
  const answer = new Response(response.body, response);
  answer.headers.delete(REFRESH_REUSED);
  return refreshToken === null ? answer : reuseDetected(oauth, refreshToken, answer);
}

/** A rotated refresh token came back: it leaked, so its whole family is revoked before the refusal is answered. */
async function reuseDetected(oauth: OAuthHelpers, refreshToken: string, refusal: Response): Promise<Response> {
  const revoked = await revokeReusedFamily(oauth, refreshToken);
  console.warn(JSON.stringify({ level: "warn", message: "oauth facade: refresh reuse detected (a rotated credential came back); the grant is revoked", revoked }));
  return refusal;
}

/**
 * The facade Worker. `fetch` serves MCP clients and browsers; `validateToken` is what the fleet's
 * servers call over their `AUTH_SERVER` service binding (never reachable from the internet).
 * Tokens are opaque (`@cloudflare/workers-oauth-provider` stores them hashed in KV), so a revoked
 * one stops working at the next check.
 */
export default class OAuthFacade extends WorkerEntrypoint<Env> {
  override fetch(request: Request): Promise<Response> {
    return handle(request, this.env, this.ctx);
  }

  async validateToken(resource: string, token: string) {
    const config = readFacadeConfig(this.env);
    const result = await serverFor(config).validateToken<GrantProps>(resource, token, this.env);
    if (result === null) return null;
    // The user the MCP servers see is Auth0's subject, not the storage-escaped grant key.
    return { audience: result.audience, expiresAt: result.expiresAt, scope: result.scope, userId: result.props.sub, clientId: result.clientId };
  }
}
