import type { IncomingMessage, ServerResponse } from "node:http";
import { createHash, randomBytes } from "node:crypto";
import { importJWK, jwtVerify, type JWK } from "jose";
import type { ConnectedAccounts } from "./connected-accounts.ts";
import { readBody } from "./read-body.ts";

/** The My Account API's scopes the Connected Accounts flow needs. */
export const MY_ACCOUNT_SCOPES = ["create:me:connected_accounts", "read:me:connected_accounts", "delete:me:connected_accounts"] as const;

/** The My Account API's identifier on a tenant: `https://{domain}/me/`. */
export function myAccountAudience(issuer: string): string {
  return `${issuer}me/`;
}

/** How long a connect request (ticket, auth session) stays usable, in seconds. */
const CONNECT_TTL_SECONDS = 300;

interface ConnectSession {
  readonly sub: string;
  readonly connection: string;
  readonly redirectUri: string;
  readonly state: string;
  readonly scopes: readonly string[];
  readonly expiresAt: number;
  /** PKCE (S256) the app sent with connect: complete must then bring the verifier. */
  readonly codeChallenge?: string;
  providerCode?: string;
  connectCode?: string;
}

/**
 * The stand-in's My Account API, Connected Accounts part, in Auth0's shape: an app holding the
 * user's My Account token asks to connect (`POST /me/v1/connected-accounts/connect` → a
 * `connect_uri` and ticket for the browser, an `auth_session`), the browser goes through the
 * provider's consent and back to the app with a `connect_code`, and the app completes it
 * (`POST /me/v1/connected-accounts/complete`). Returns false for paths it does not serve.
 */
export function myAccountApi(options: { issuer: string; signingKey: JWK & { kid: string }; accounts: ConnectedAccounts }) {
  const sessions = new Map<string, ConnectSession>();
  const byTicket = new Map<string, string>();
  const callback = `${options.issuer}connected-accounts/callback`;
  const key = (async () => {
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = options.signingKey as JWK & Record<string, unknown>;
    return importJWK(pub as JWK, "RS256");
  })();
  const json = (res: ServerResponse, status: number, body: unknown): void => void res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));

  /** The user of a My Account token with the scope needed; undefined after answering 401/403. */
  async function userOf(req: IncomingMessage, res: ServerResponse, scope: string): Promise<string | undefined> {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
    try {
      const { payload } = await jwtVerify(token ?? "", await key, { issuer: options.issuer, audience: myAccountAudience(options.issuer), algorithms: ["RS256"] });
      const scopes = String(payload.scope ?? "").split(" ");
      if (!scopes.includes(scope)) return void json(res, 403, { error: "insufficient_scope", error_description: `requires ${scope}` });
      return String(payload.sub);
    } catch {
      return void json(res, 401, { error: "invalid_token" });
    }
  }

  const body = async (req: IncomingMessage) => JSON.parse(await readBody(req, "body")) as Record<string, unknown>;

  return async function serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname === "/me/v1/connected-accounts/connect" && req.method === "POST") {
      const sub = await userOf(req, res, "create:me:connected_accounts");
      if (sub === undefined) return true;
      const b = await body(req);
      const connection = String(b.connection ?? "");
      const provider = options.accounts.providerFor(connection);
      if (provider === undefined) return json(res, 400, { error: "invalid_request", error_description: `unknown connection ${connection}` }), true;
      if (typeof b.redirect_uri !== "string" || typeof b.state !== "string") return json(res, 400, { error: "invalid_request", error_description: "redirect_uri and state are required" }), true;
      const authSession = randomBytes(24).toString("base64url");
      const ticket = randomBytes(24).toString("base64url");
      const scopes = Array.isArray(b.scopes) ? b.scopes.map(String) : [...provider.scopes];
      if (b.code_challenge !== undefined && (typeof b.code_challenge !== "string" || b.code_challenge_method !== "S256")) return json(res, 400, { error: "invalid_request", error_description: "code_challenge needs code_challenge_method S256" }), true;
      sessions.set(authSession, { sub, connection, redirectUri: b.redirect_uri, state: b.state, scopes, expiresAt: Date.now() + CONNECT_TTL_SECONDS * 1000, ...(typeof b.code_challenge === "string" ? { codeChallenge: b.code_challenge } : {}) });
      byTicket.set(ticket, authSession);
      return json(res, 201, { auth_session: authSession, connect_uri: `${options.issuer}connected-accounts/connect`, connect_params: { ticket }, expires_in: CONNECT_TTL_SECONDS }), true;
    }
    if (url.pathname === "/connected-accounts/connect" && req.method === "GET") {
      const session = sessions.get(byTicket.get(url.searchParams.get("ticket") ?? "") ?? "");
      if (session === undefined || session.expiresAt < Date.now()) return res.writeHead(400, { "content-type": "text/plain" }).end("This connect link is not valid (or expired): start again from your MCP client."), true;
      const provider = options.accounts.providerFor(session.connection)!;
      const to = new URL(provider.authorizationEndpoint);
      for (const [k, v] of Object.entries({ client_id: provider.clientId, redirect_uri: callback, state: url.searchParams.get("ticket")!, scope: session.scopes.join(" "), response_type: "code", login_hint: session.sub })) to.searchParams.set(k, v);
      return res.writeHead(302, { location: to.toString() }).end(), true;
    }
    if (url.pathname === "/connected-accounts/callback" && req.method === "GET") {
      const session = sessions.get(byTicket.get(url.searchParams.get("state") ?? "") ?? "");
      const code = url.searchParams.get("code");
      if (session === undefined || code === null) return res.writeHead(400, { "content-type": "text/plain" }).end("The provider's answer does not match a connect request."), true;
      session.providerCode = code;
      session.connectCode = randomBytes(24).toString("base64url");
      const back = new URL(session.redirectUri);
      back.searchParams.set("connect_code", session.connectCode);
      back.searchParams.set("state", session.state);
      return res.writeHead(302, { location: back.toString() }).end(), true;
    }
    if (url.pathname === "/me/v1/connected-accounts/complete" && req.method === "POST") {
      const sub = await userOf(req, res, "create:me:connected_accounts");
      if (sub === undefined) return true;
      const b = await body(req);
      const authSession = String(b.auth_session ?? "");
      const session = sessions.get(authSession);
      // The same user, the code the browser brought back, the same redirect URI: else nothing is connected.
      if (session === undefined || session.sub !== sub || session.connectCode === undefined || session.connectCode !== b.connect_code || session.redirectUri !== b.redirect_uri || session.expiresAt < Date.now()) {
        return json(res, 400, { error: "invalid_request", error_description: "the connect session, code or redirect_uri does not match" }), true;
      }
      // RFC 7636 §4.6: with a challenge at connect, only the matching verifier completes.
      if (session.codeChallenge !== undefined && (typeof b.code_verifier !== "string" || createHash("sha256").update(b.code_verifier).digest("base64url") !== session.codeChallenge)) {
        return json(res, 400, { error: "invalid_grant", error_description: "code_verifier does not match the connect request's code_challenge" }), true;
      }
      sessions.delete(authSession);
      await options.accounts.connect(sub, session.connection, session.providerCode!, callback);
      return json(res, 201, { id: `cac_${randomBytes(8).toString("hex")}`, connection: session.connection, access_type: "offline", scopes: session.scopes, created_at: new Date().toISOString() }), true;
    }
    if (url.pathname === "/me/v1/connected-accounts/accounts" && req.method === "GET") {
      const sub = await userOf(req, res, "read:me:connected_accounts");
      if (sub === undefined) return true;
      return json(res, 200, { accounts: options.accounts.list(sub) }), true;
    }
    return false;
  };
}
