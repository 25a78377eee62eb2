import { env, exports } from "cloudflare:workers";
import { approveInBrowser } from "@edge-mcp/testing/dev-browser";
import { importJWK, SignJWT, type JWK } from "jose";
import { CONSOLE_AUDIENCE, CONSOLE_ORIGIN } from "./console-test-env.ts";

/** A request to the console under test, in process. */
export function visit(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(new URL(path, CONSOLE_ORIGIN), { redirect: "manual", ...init }));
}

/** The `name=value` pairs of a response's Set-Cookie headers. */
export function cookiesOf(res: Response): Record<string, string> {
  return Object.fromEntries(res.headers.getSetCookie().map((line) => line.split(";")[0]!).map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
}

/**
 * Signs `user` in through the whole flow: /login, the real authorization server's sign-in page
 * (as a browser would), back to /callback. Returns the callback's answer and the cookie it set.
 */
export async function signIn(user: string): Promise<{ callback: Response; session: string | undefined }> {
  const login = await visit("/login");
  const signInCookie = Object.entries(cookiesOf(login)).map(([k, v]) => `${k}=${v}`).join("; ");
  const back = await approveInBrowser(login.headers.get("location")!, { user });
  const callback = await visit(`${back.pathname}${back.search}`, { headers: { cookie: signInCookie } });
  return { callback, session: cookiesOf(callback)["__Host-edge-console"] };
}

/** A real RS256 token from the authorization server's key (claims as it issues them). */
export async function mintToken(claims: { sub?: string; aud?: string; scopes?: string[]; iss?: string; expiresIn?: number } = {}): Promise<string> {
  const jwk = JSON.parse(env.CONSOLE_SIGNING_JWK) as JWK & { kid: string };
  const scopes = claims.scopes ?? ["fleet.read"];
  return new SignJWT({ azp: "script", client_id: "script", scope: scopes.join(" "), permissions: scopes })
    .setProtectedHeader({ alg: "RS256", kid: jwk.kid, typ: "at+jwt" })
    .setIssuer(claims.iss ?? env.CONSOLE_ISSUER)
    .setSubject(claims.sub ?? "dev|alice")
    .setAudience(claims.aud ?? CONSOLE_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (claims.expiresIn ?? 600))
    .sign(await importJWK(jwk, "RS256"));
}
