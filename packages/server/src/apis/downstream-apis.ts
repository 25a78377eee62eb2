import type { CallerIdentity } from "../base/caller.ts";
import type { ServerConfig } from "../base/config.ts";
import { WORKERS_TRACER, type Tracer } from "../base/tracer.ts";
import { readConfig } from "../base/config.ts";
import { apisConfigOf, type DeclaredApi } from "./apis-config.ts";
import { CONNECT_TICKET_TTL_MS, signTicket } from "./connect-ticket.ts";
import { DownstreamError } from "../base/downstream-errors.ts";
import { currentSubjectToken } from "./subject-token.ts";
import { TokenCache, type ExchangedToken } from "./token-cache.ts";
import { exchangeFirstParty, exchangeThirdParty, type ExchangeContext } from "./token-exchange.ts";

/**
 * What a tool uses to act as the signed-in user in another system (`extra.apis`): a token for one
 * of the APIs its server declares (mcp.json `apis`), or a `fetch` that adds it. Behind it, RFC 8693
 * on-behalf-of exchange (first-party APIs) or Auth0 Token Vault (third-party connections), tokens
 * cached per user until shortly before expiry.
 */
export interface DownstreamApis {
  /** The declared APIs' names. */
  readonly names: readonly string[];
  /** An access token for `name`, for this caller (for an SDK that takes a token). Never log or return it. */
  token(name: string): Promise<{ readonly accessToken: string; readonly expiresAt: number; readonly scopes: readonly string[] }>;
  /**
   * `fetch` to the API's base URL (a path relative to it, or an absolute URL under it) with the
   * caller's token added. A 401 gets one fresh exchange and one retry; a second 401 is an error.
   */
  fetch(name: string, path: string, init?: RequestInit): Promise<Response>;
}

/** One cache per isolate: keys separate issuers, callers, APIs and scope sets. */
const cache = new TokenCache();

const NO_APIS: DownstreamApis = Object.freeze({
  names: [],
  token: (name: string) => Promise.reject(new DownstreamError("api_not_declared", name, `"${name}" is not an API this server declares (mcp.json apis).`)),
  fetch: (name: string) => Promise.reject(new DownstreamError("api_not_declared", name, `"${name}" is not an API this server declares (mcp.json apis).`)),
});

/** The tool-side API for one call: this env's declarations, this caller, the request's own token. */
export function downstreamApisFor(env: object, config: ServerConfig, caller: CallerIdentity, tracer: Tracer): DownstreamApis {
  const { apis, exchangeClient } = apisConfigOf(env);
  if (apis.size === 0) return NO_APIS;
  const declared = (name: string): DeclaredApi => {
    const api = apis.get(name);
    if (api === undefined) throw new DownstreamError("api_not_declared", name, `"${name}" is not an API this server declares (mcp.json apis: ${[...apis.keys()].join(", ")}).`);
    return api;
  };
  const keyOf = (name: string, api: DeclaredApi) => `${config.auth.disabled ? "" : config.auth.issuer}\u0000${caller.subject}\u0000${name}\u0000${[...api.scopes].sort().join(" ")}`;
  const exchange = (name: string, api: DeclaredApi): Promise<ExchangedToken> => {
    const subjectToken = currentSubjectToken();
    if (subjectToken === undefined || config.auth.disabled || exchangeClient === undefined) {
      throw new DownstreamError("no_user_token", name, `"${name}" needs the user's own token, which this request does not carry (a call relayed by a gateway, or auth disabled): call this server directly.`);
    }
    if (config.auth.mode !== "auth0") throw new DownstreamError("misconfigured", name, 'Acting as the user needs Auth0 tokens (auth.mode "auth0"): the facade\'s tokens cannot be exchanged at Auth0.');
    const ctx: ExchangeContext = { issuer: config.auth.issuer, jwksUri: config.auth.jwksUri, client: exchangeClient, subjectToken, subject: caller.subject };
    const connectUrl = async () => {
      if (config.requestStateKey === undefined) throw new DownstreamError("misconfigured", name, "Connecting an account needs the server's MCP_REQUEST_STATE_KEY (it signs the connect link).");
      const ticket = await signTicket(config.requestStateKey, { sub: caller.subject, api: name, exp: Date.now() + CONNECT_TICKET_TTL_MS });
      return `${config.resourceOrigin}/connect/${name}?ticket=${ticket}`;
    };
    return tracer.enterSpan("mcp.token_exchange", (span) => {
      span.setAttribute("mcp.api", name);
      span.setAttribute("mcp.api.kind", api.kind);
      return api.kind === "first-party" ? exchangeFirstParty(ctx, name, api) : exchangeThirdParty(ctx, name, api, connectUrl);
    });
  };
  const tokenFor = (name: string) => {
    const api = declared(name);
    return cache.get(keyOf(name, api), () => exchange(name, api));
  };
  return Object.freeze({
    names: [...apis.keys()],
    async token(name: string) {
      const { token } = await tokenFor(name);
      return { accessToken: token.accessToken, expiresAt: token.expiresAt, scopes: token.scopes };
    },
    async fetch(name: string, path: string, init: RequestInit = {}) {
      const api = declared(name);
      const url = new URL(path, api.baseUrl);
      const base = new URL(api.baseUrl);
      // The token goes only to the declared API: its origin, under its base path.
      if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) throw new TypeError(`apis.fetch("${name}"): ${url.origin}${url.pathname} is not under ${api.baseUrl}`);
      const send = (token: ExchangedToken) => tracer.enterSpan("mcp.downstream", (span) => {
        span.setAttribute("mcp.api", name);
        const headers = new Headers(init.headers);
        headers.set("authorization", `Bearer ${token.accessToken}`);
        return fetch(url, { ...init, headers, redirect: "manual" });
      });
      const first = await tokenFor(name);
      const res = await send(first.token);
      if (res.status !== 401) return res;
      await res.body?.cancel();
      // Revoked or expired early: one fresh exchange, one retry.
      cache.invalidate(keyOf(name, api), first.token);
      const again = await tokenFor(name);
      const retried = await send(again.token);
      if (retried.status !== 401) return retried;
      await retried.body?.cancel();
      throw new DownstreamError("downstream_unauthorized", name, `"${name}" refused the user's token twice (HTTP 401): the user may lack access there.`);
    },
  });
}

/**
 * The same for code outside a tool that acts for the request's caller (an edge-mcp gateway reaching
 * a remote backend as each user): this env's declared APIs, Workers' tracer.
 */
export function apisForCaller(env: object, caller: CallerIdentity): DownstreamApis {
  return downstreamApisFor(env, readConfig(env), caller, WORKERS_TRACER);
}
