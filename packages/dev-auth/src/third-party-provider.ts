import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { readBody } from "./read-body.ts";
import { PAGE_SECURITY_HEADERS } from "./request-guard.ts";

/**
 * A small third-party provider for `npm run dev` and tests, in GitHub's shape: its own OAuth 2.0
 * server (authorization code with a consent page, refresh tokens) and an API (`/user`,
 * `/user/repos`) that checks its own opaque tokens — what a connected account is connected to.
 */
export interface ThirdPartyProviderOptions {
  readonly port: number;
  /** The stand-in's application at this provider (Auth0's connection client). */
  readonly clientId: string;
  readonly clientSecret: string;
  /** Where it may send the user back (the stand-in's connected-accounts callback). */
  readonly redirectUris: readonly string[];
  /** Access token lifetime, in seconds. */
  readonly accessTokenTtlSeconds?: number;
}

export interface ThirdPartyProvider {
  readonly origin: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  /** Every access token issued so far stops working (tests: an expired or revoked token downstream). */
  revokeAccessTokens(): void;
  /** How many times its API refused a token (tests: one re-exchange, not a storm). */
  readonly refusals: number;
  close(): Promise<void>;
}

interface Grant {
  readonly login: string;
  readonly scopes: readonly string[];
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const form = async (req: IncomingMessage) => new URLSearchParams(await readBody(req, "form"));

export async function startThirdPartyProvider(options: ThirdPartyProviderOptions): Promise<ThirdPartyProvider> {
  const origin = `http://localhost:${options.port}`;
  const ttl = options.accessTokenTtlSeconds ?? 3600;
  const codes = new Map<string, Grant & { redirectUri: string; expiresAt: number }>();
  const accessTokens = new Map<string, Grant & { expiresAt: number }>();
  const refreshTokens = new Map<string, Grant>();
  let refusals = 0;
  const token = () => randomBytes(24).toString("base64url");
  const json = (res: ServerResponse, status: number, body: unknown): void => void res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
  const issue = (grant: Grant) => {
    const access = `tp_${token()}`;
    const refresh = `tpr_${token()}`;
    accessTokens.set(access, { ...grant, expiresAt: Date.now() + ttl * 1000 });
    refreshTokens.set(refresh, grant);
    return { access_token: access, refresh_token: refresh, token_type: "bearer", expires_in: ttl, scope: grant.scopes.join(" ") };
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", origin);
    if (url.pathname === "/login/oauth/authorize" && req.method === "GET") {
      const p = url.searchParams;
      if (p.get("client_id") !== options.clientId || !options.redirectUris.includes(p.get("redirect_uri") ?? "")) return json(res, 400, { error: "invalid_request", error_description: "unknown client or redirect_uri" });
      const login = (p.get("login_hint") ?? "octocat").replace(/[^A-Za-z0-9-]/g, "-").slice(0, 39);
      const hidden = ["client_id", "redirect_uri", "state", "scope"].map((k) => `<input type="hidden" name="${k}" value="${escape(p.get(k) ?? "")}">`).join("");
      const page = `<!doctype html><title>Authorize edge-mcp</title><h1>Authorize edge-mcp to act as ${escape(login)}?</h1><p>Scopes: <code>${escape(p.get("scope") ?? "")}</code></p><form method="post" action="/login/oauth/authorize">${hidden}<input type="hidden" name="login" value="${escape(login)}"><button type="submit" name="decision" value="approve">Authorize</button></form>`;
      return void res.writeHead(200, { ...PAGE_SECURITY_HEADERS, "content-type": "text/html; charset=utf-8" }).end(page);
    }
    if (url.pathname === "/login/oauth/authorize" && req.method === "POST") {
      const p = await form(req);
      const redirectUri = p.get("redirect_uri") ?? "";
      if (p.get("client_id") !== options.clientId || !options.redirectUris.includes(redirectUri)) return json(res, 400, { error: "invalid_request" });
      const code = token();
      codes.set(code, { login: p.get("login") ?? "octocat", scopes: (p.get("scope") ?? "").split(/[ ,]/).filter((s) => s !== ""), redirectUri, expiresAt: Date.now() + 60_000 });
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      back.searchParams.set("state", p.get("state") ?? "");
      return void res.writeHead(302, { location: back.toString() }).end();
    }
    if (url.pathname === "/login/oauth/access_token" && req.method === "POST") {
      const p = await form(req);
      if (p.get("client_id") !== options.clientId || p.get("client_secret") !== options.clientSecret) return json(res, 401, { error: "invalid_client" });
      if (p.get("grant_type") === "authorization_code") {
        const grant = codes.get(p.get("code") ?? "");
        codes.delete(p.get("code") ?? "");
        if (grant === undefined || grant.expiresAt < Date.now() || grant.redirectUri !== p.get("redirect_uri")) return json(res, 400, { error: "bad_verification_code" });
        return json(res, 200, issue({ login: grant.login, scopes: grant.scopes }));
      }
      if (p.get("grant_type") === "refresh_token") {
        const grant = refreshTokens.get(p.get("refresh_token") ?? "");
        if (grant === undefined) return json(res, 400, { error: "bad_refresh_token" });
        refreshTokens.delete(p.get("refresh_token") ?? "");
        return json(res, 200, issue(grant));
      }
      return json(res, 400, { error: "unsupported_grant_type" });
    }
    // Local only: what a user's "revoke all tokens" in the provider's settings does (tests use it for a downstream 401).
    if (url.pathname === "/settings/revoke-all" && req.method === "POST") return void (accessTokens.clear(), json(res, 200, { revoked: true }));
    if ((url.pathname === "/user" || url.pathname === "/user/repos") && req.method === "GET") {
      const held = accessTokens.get(/^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "");
      if (held === undefined || held.expiresAt < Date.now()) {
        refusals++;
        return void res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Bearer error="invalid_token"' }).end(JSON.stringify({ message: "Bad credentials" }));
      }
      if (url.pathname === "/user") return json(res, 200, { login: held.login, name: `${held.login} (third-party stand-in)`, scopes: held.scopes });
      return json(res, 200, [{ name: `${held.login}-notes`, private: true }, { name: "edge-mcp", private: false }]);
    }
    json(res, 404, { message: "Not Found" });
  }

  const server: Server = createServer((req, res) => void handle(req, res).catch(() => json(res, 400, { error: "invalid_request" })));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  return {
    origin,
    authorizationEndpoint: `${origin}/login/oauth/authorize`,
    tokenEndpoint: `${origin}/login/oauth/access_token`,
    revokeAccessTokens: () => accessTokens.clear(),
    get refusals() {
      return refusals;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
