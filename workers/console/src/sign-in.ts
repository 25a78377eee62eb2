import { getCookie } from "hono/cookie";
import type { Context } from "hono";
import type { ConsoleConfig } from "./console-config.ts";
import { checkToken } from "./operator-access.ts";
import { messagePage } from "./pages.ts";
import { createPkce, discoverAuthorizationServer, openSealed as open, randomToken, seal } from "@edge-mcp/auth";

/** How long a sign-in may take between the redirect and the callback, in milliseconds. */
const SIGN_IN_TTL_MS = 10 * 60_000;

/** The operator sign-in asks for this: the operator scope, nothing that acts on the fleet. */
const SIGN_IN_SCOPE = "openid fleet.read";

/** Cookie names: `__Host-` (Secure, path /, no domain) on https; plain names on http://localhost. */
export function cookieNames(origin: string) {
  const secure = origin.startsWith("https://");
  return { secure, session: secure ? "__Host-edge-console" : "edge-console", signIn: secure ? "__Host-edge-console-sign-in" : "edge-console-sign-in" };
}

function cookie(name: string, value: string, secure: boolean, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}${secure ? "; Secure" : ""}`;
}

/** `GET /login`: authorization code + PKCE (S256) with a state, both sealed in a short-lived cookie. */
export async function startSignIn(c: Context, config: ConsoleConfig): Promise<Response> {
  const origin = new URL(c.req.url).origin;
  const { authorization_endpoint } = await discoverAuthorizationServer(config.CONSOLE_ISSUER);
  const state = randomToken(32);
  const { verifier, challenge } = await createPkce();
  const names = cookieNames(origin);
  const url = new URL(authorization_endpoint);
  const params = {
    response_type: "code",
    client_id: config.CONSOLE_CLIENT_ID,
    redirect_uri: `${origin}/callback`,
    scope: SIGN_IN_SCOPE,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
    // Auth0 selects the API by `audience`; RFC 8707 servers (the local stand-in) by `resource`.
    audience: config.CONSOLE_AUDIENCE,
    resource: config.CONSOLE_AUDIENCE,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const sealed = await seal(config.CONSOLE_SESSION_KEY, "sign-in", { state, verifier }, Date.now() + SIGN_IN_TTL_MS);
  return new Response(null, { status: 302, headers: { location: url.toString(), "set-cookie": cookie(names.signIn, sealed, names.secure, SIGN_IN_TTL_MS / 1000), "cache-control": "no-store" } });
}

/**
 * `GET /callback`: the state must match the sealed one and `iss`, when sent, the issuer (RFC 9207);
 * the code is exchanged with the PKCE verifier and the console's client secret; the token is
 * verified like every later request's, and only an operator's becomes a session.
 */
export async function finishSignIn(c: Context, config: ConsoleConfig): Promise<Response> {
  const url = new URL(c.req.url);
  const names = cookieNames(url.origin);
  const pending = await open<{ state: string; verifier: string }>(config.CONSOLE_SESSION_KEY, "sign-in", getCookie(c, names.signIn));
  const clear = cookie(names.signIn, "", names.secure, 0);
  const fail = (status: number, title: string, detail: string) => messagePage(status, title, detail, { "set-cookie": clear });
  const error = url.searchParams.get("error");
  if (error !== null) return fail(400, "Sign-in was not completed", `The authorization server answered ${error.slice(0, 64)}. Try again from the sign-in link.`);
  if (pending === undefined || url.searchParams.get("state") !== pending.state) return fail(400, "Sign-in expired", "This sign-in does not match one started here (or took longer than 10 minutes). Start again.");
  const iss = url.searchParams.get("iss");
  if (iss !== null && iss !== config.CONSOLE_ISSUER) return fail(400, "Sign-in refused", "The answer came from another authorization server than the console's (RFC 9207).");
  const code = url.searchParams.get("code");
  if (code === null || code.length > 2048) return fail(400, "Sign-in refused", "The authorization server sent no code.");
  const { token_endpoint } = await discoverAuthorizationServer(config.CONSOLE_ISSUER);
  const res = await fetch(token_endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: `${url.origin}/callback`, code_verifier: pending.verifier, client_id: config.CONSOLE_CLIENT_ID, client_secret: config.CONSOLE_CLIENT_SECRET, resource: config.CONSOLE_AUDIENCE }),
    signal: AbortSignal.timeout(10_000),
  });
  const token = res.ok ? ((await res.json()) as { access_token?: unknown }).access_token : undefined;
  if (typeof token !== "string") return fail(502, "Sign-in failed", `The authorization server did not issue a token (HTTP ${res.status}). Check CONSOLE_CLIENT_ID and the client's callback URL (${url.origin}/callback).`);
  const check = await checkToken(config, token);
  if (!check.ok) {
    return check.status === 403
      ? fail(403, "Not an operator", `You are signed in as ${check.subject}, who does not hold the operator scope (fleet.read). Ask for the operator role.`)
      : fail(401, "Sign-in refused", "The token issued is not one for this console.");
  }
  const session = await seal(config.CONSOLE_SESSION_KEY, "session", { token }, check.expiresAt * 1000);
  const headers = new Headers({ location: "/", "cache-control": "no-store" });
  headers.append("set-cookie", clear);
  headers.append("set-cookie", cookie(names.session, session, names.secure, check.expiresAt - Date.now() / 1000));
  return new Response(null, { status: 302, headers });
}

/** `POST /logout`, from the console's own page only (Origin checked: no cross-site sign-out). */
export function signOut(c: Context): Response {
  const origin = new URL(c.req.url).origin;
  if (c.req.header("origin") !== origin) return messagePage(403, "Refused", "Sign out from the console's own page.");
  const names = cookieNames(origin);
  return new Response(null, { status: 303, headers: { location: "/signed-out", "set-cookie": cookie(names.session, "", names.secure, 0), "cache-control": "no-store" } });
}
