import { createTokenVerifier, type TokenVerifier } from "@edge-mcp/auth";
import { z } from "zod";
import { FACADE_DEFAULTS, type FacadeConfig } from "./config.ts";
import { FacadeError } from "./errors.ts";

/**
 * The facade as Auth0's client: one confidential application, one fixed callback
 * (`{issuer}/callback`), authorization code with PKCE S256 and the RFC 8707 `resource` naming
 * the server's API (Auth0's Resource Parameter Compatibility Profile). Auth0's tokens stay here:
 * the access token is verified like any Auth0 token (`@edge-mcp/auth`), its subject and
 * permissions are kept, and the token itself is dropped.
 */

const DiscoverySchema = z.object({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
});
type Discovery = z.infer<typeof DiscoverySchema>;

const TokenResponseSchema = z.object({ access_token: z.string().min(1), token_type: z.string() });

export interface UpstreamIdentity {
  /** Auth0 `sub`. */
  readonly subject: string;
  /** What Auth0 granted this user on the server's API (`scope` ∪ `permissions`). */
  readonly scopes: readonly string[];
}

const discoveries = new Map<string, Promise<Discovery>>();
const verifiers = new Map<string, TokenVerifier>();

async function upstreamFetch(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(FACADE_DEFAULTS.upstreamTimeoutMs) });
  } catch (error) {
    throw new FacadeError("upstream_failed", "The sign-in service did not answer; try again shortly.", { cause: error });
  }
}

/** OIDC discovery, once per isolate (a failure is not remembered). */
function discover(config: FacadeConfig): Promise<Discovery> {
  const key = config.upstream.issuer;
  let known = discoveries.get(key);
  if (known === undefined) {
    known = (async () => {
      const res = await upstreamFetch(`${key.replace(/\/$/, "")}/.well-known/openid-configuration`);
      const parsed = DiscoverySchema.safeParse(res.ok ? await res.json() : undefined);
      if (!parsed.success || parsed.data.issuer !== key) {
        throw new FacadeError("upstream_failed", `The sign-in service's discovery document is not usable (HTTP ${res.status}).`);
      }
      return parsed.data;
    })();
    known.catch(() => discoveries.delete(key));
    discoveries.set(key, known);
  }
  return known;
}

/** Where to send the user's browser: Auth0's /authorize for this server's API. */
export async function upstreamAuthorizeUrl(config: FacadeConfig, request: { resource: string; scopes: readonly string[]; state: string; codeChallenge: string }): Promise<string> {
  const { authorization_endpoint } = await discover(config);
  const url = new URL(authorization_endpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", config.upstream.clientId);
  url.searchParams.set("redirect_uri", config.callbackUrl);
  url.searchParams.set("scope", ["openid", ...request.scopes.filter((s) => s !== "offline_access")].join(" "));
  url.searchParams.set("resource", request.resource);
  url.searchParams.set("state", request.state);
  url.searchParams.set("code_challenge", request.codeChallenge);
  url.searchParams.set("code_challenge_method", "S256");
  return url.href;
}

/** Redeems Auth0's code, verifies the access token it returns for `resource`, keeps who and what. */
export async function redeemUpstreamCode(config: FacadeConfig, code: string, verifier: string, resource: string): Promise<UpstreamIdentity> {
  const discovery = await discover(config);
  const res = await upstreamFetch(discovery.token_endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: config.callbackUrl,
      client_id: config.upstream.clientId,
      client_secret: config.upstream.clientSecret,
      code_verifier: verifier,
      resource,
    }),
  });
  const parsed = TokenResponseSchema.safeParse(res.ok ? await res.json() : undefined);
  if (!parsed.success) {
    await res.body?.cancel();
    throw new FacadeError("upstream_failed", `The sign-in service refused the sign-in (HTTP ${res.status}); start again from your MCP client.`);
  }
  const key = `${resource} ${discovery.jwks_uri}`;
  let tokens = verifiers.get(key);
  if (tokens === undefined) {
    tokens = createTokenVerifier({ issuer: config.upstream.issuer, audiences: [resource], jwksUri: discovery.jwks_uri, store: null });
    verifiers.set(key, tokens);
  }
  try {
    const auth = await tokens.verify(parsed.data.access_token);
    return { subject: auth.subject, scopes: auth.scopes };
  } catch (error) {
    throw new FacadeError("upstream_failed", "The sign-in service's token did not verify for this server.", { cause: error });
  }
}
