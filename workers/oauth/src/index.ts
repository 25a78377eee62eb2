import { OAuthAuthorizationServer, type OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import { enforceBudget, RateLimitedError, RateLimitCounter } from "@edge-mcp/server/rate-limiting";
import { WorkerEntrypoint } from "cloudflare:workers";
import { answerConsent, finishSignIn, showConsent, type GrantProps } from "./authorize.ts";
import { checkClientIdUrl } from "./cimd-guard.ts";
import { FACADE_DEFAULTS, readFacadeConfig, type FacadeConfig } from "./config.ts";
import { FacadeError } from "./errors.ts";
import { facadeErrorResponse } from "./error-page.ts";
import { revokeReusedFamily } from "./refresh-reuse.ts";
import { readBody, type ReadBody } from "./request-body.ts";

export { RateLimitCounter };

export interface Env {
  OAUTH_KV: KVNamespace;
  RATE_LIMIT: DurableObjectNamespace;
}

export const ROUTES = Object.freeze({ authorize: "/authorize", callback: "/callback", token: "/oauth/token", register: "/oauth/register" });

/**
 * Marks the library's answer to a rotated refresh token presented again, for `tokenEndpoint` to
 * see (the onError hook has no request to hand); removed before the answer leaves.
 */
const REFRESH_REUSED = "x-edge-mcp-refresh-reused";

const servers = new WeakMap<FacadeConfig, OAuthAuthorizationServer<Env>>();
function serverFor(config: FacadeConfig): OAuthAuthorizationServer<Env> {
  let server = servers.get(config);
  if (server === undefined) {
    server = new OAuthAuthorizationServer<Env>({
      issuer: config.issuer,
      resources: [...config.resources],
      authorizeEndpoint: ROUTES.authorize,
      tokenEndpoint: ROUTES.token,
      clientRegistrationEndpoint: ROUTES.register,
      scopesSupported: [...config.scopes],
      clientIdMetadataDocumentEnabled: true,
      clientRegistrationTTL: FACADE_DEFAULTS.clientRegistrationTtlSeconds,
      accessTokenTTL: FACADE_DEFAULTS.accessTokenTtlSeconds,
      refreshTokenIdleTTL: FACADE_DEFAULTS.refreshTokenIdleTtlSeconds,
      onError: ({ code, description, status, headers, internal }) => {
        if (internal.reason !== "refresh_token_mismatch") return undefined;
        return Response.json({ error: code, error_description: description }, { status, headers: { ...headers, [REFRESH_REUSED]: "1" } });
      },
    });
    servers.set(config, server);
  }
  return server;
}

async function handle(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  let config: FacadeConfig | undefined;
  try {
    config = readFacadeConfig(env);
    const server = serverFor(config);
    const oauth: OAuthHelpers = server.getOAuthApi(env);
    if (url.pathname === ROUTES.authorize && request.method === "GET") return await showConsent(request, oauth, config);
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
  const ip = request.headers.get("cf-connecting-ip") ?? "local";
  try {
    await enforceBudget(env, `dcr|${ip}`, { requests: config.dcrPerIpPerHour, windowSeconds: 3600 });
  } catch (error) {
    if (error instanceof RateLimitedError) {
      throw new FacadeError("rate_limited", "Too many client registrations from this address; try again later.", { retryAfterSeconds: error.retryAfterSeconds });
    }
    throw error;
  }
}

/** The token endpoint: the CIMD guard on the client id, then the library; a reused refresh token revokes its family. */
async function tokenEndpoint(body: ReadBody, env: Env, ctx: ExecutionContext, server: OAuthAuthorizationServer<Env>, oauth: OAuthHelpers, config: FacadeConfig): Promise<Response> {
  const form = body.form!;
  const clientId = form.get("client_id");
  if (clientId !== null) checkClientIdUrl(clientId, config.cimdAllowLoopback);
  const response = await server.fetch(body.request, env, ctx);
  if (!response.headers.has(REFRESH_REUSED)) return response;
  const refreshToken = form.get("refresh_token");
  if (refreshToken !== null) {
    const revoked = await revokeReusedFamily(oauth, refreshToken);
    console.warn(JSON.stringify({ level: "warn", message: "oauth facade: refresh reuse detected (a rotated credential came back); the grant is revoked", revoked }));
  }
  const answer = new Response(response.body, response);
  answer.headers.delete(REFRESH_REUSED);
  return answer;
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
