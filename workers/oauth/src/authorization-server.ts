/**
 * The library's authorization server, configured once per facade config: the facade's routes,
 * its token lifetimes, CIMD, and the marker on a refused rotated refresh token.
 */
import { OAuthAuthorizationServer } from "@cloudflare/workers-oauth-provider";
import { FACADE_DEFAULTS, type FacadeConfig } from "./config.ts";

export interface Env {
  OAUTH_KV: KVNamespace;
  RATE_LIMIT: DurableObjectNamespace;
}

export const ROUTES = Object.freeze({ authorize: "/authorize", callback: "/callback", token: "/oauth/token", register: "/oauth/register" });

/**
 * Marks the library's answer to a rotated refresh token presented again, for `tokenEndpoint` to
 * see (the onError hook has no request to hand); removed before the answer leaves.
 */
export const REFRESH_REUSED = "x-edge-mcp-refresh-reused";

const servers = new WeakMap<FacadeConfig, OAuthAuthorizationServer<Env>>();
export function serverFor(config: FacadeConfig): OAuthAuthorizationServer<Env> {
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

