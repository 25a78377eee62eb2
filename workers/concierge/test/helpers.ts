import { env, exports } from "cloudflare:workers";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { connectMcp } from "@edge-mcp/testing";
import { importJWK, SignJWT, type JWK } from "jose";
import { ORIGIN, RESOURCE } from "./concierge-test-env.ts";

/** A request to concierge, in process. */
export function send(request: Request): Promise<Response> {
  return exports.default.fetch(request);
}

/** A real RS256 access token for concierge from the authorization server's key, as it issues them. */
export async function userToken(sub: string, scopes = ["tools.read"]): Promise<string> {
  const jwk = JSON.parse(env.TEST_SIGNING_JWK) as JWK & { kid: string };
  return new SignJWT({ azp: "mcp-client", client_id: "mcp-client", scope: scopes.join(" "), permissions: scopes })
    .setProtectedHeader({ alg: "RS256", kid: jwk.kid, typ: "at+jwt" })
    .setIssuer(env.AUTH_ISSUER)
    .setSubject(sub)
    .setAudience(RESOURCE)
    .setIssuedAt()
    .setExpirationTime("10m")
    .setJti(crypto.randomUUID())
    .sign(await importJWK(jwk, "RS256"));
}

/** A real `@modelcontextprotocol/client` 2.x pinned to MCP 2026-07-28. */
export async function modernClient(bearer: string, capabilities: Record<string, object> = {}) {
  const client = new Client({ name: "concierge-test", version: "1" }, { capabilities, versionNegotiation: { mode: { pin: "2026-07-28" } } });
  const transport = new StreamableHTTPClientTransport(new URL(RESOURCE), { fetch: (input, init) => send(new Request(input, init)), requestInit: { headers: { authorization: `Bearer ${bearer}` } } });
  await client.connect(transport);
  return client;
}

/** A 2025 session: the SDK 1.x client with the 2025 handshake. */
export function sessionClient(bearer: string, capabilities: Record<string, object> = {}) {
  return connectMcp({ url: RESOURCE, fetch: send, holder: { token: bearer }, capabilities, standaloneStream: false });
}

export function textOf(result: unknown): string {
  return ((result as { content?: Array<{ text?: string }> }).content ?? [])[0]?.text ?? "";
}

/**
 * Follows a connect link as the user's browser: cookies per origin, redirects, and on each page
 * its one form — the authorization server's sign-in (as `user`, "allow") and the provider's
 * consent ("authorize"). concierge's own pages are served in process. Returns the last page.
 */
export async function connectInBrowser(link: string, user: string, maxSteps = 16): Promise<{ status: number; html: string }> {
  const jars = new Map<string, Map<string, string>>();
  const cookiesFor = (url: URL) => [...(jars.get(url.origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join("; ");
  const keep = (url: URL, res: Response) => {
    const jar = jars.get(url.origin) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(";")[0]!;
      jar.set(pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1));
    }
    jars.set(url.origin, jar);
  };
  let url = new URL(link);
  let init: RequestInit = {};
  for (let step = 0; step < maxSteps; step++) {
    const headers = new Headers(init.headers);
    headers.set("cookie", cookiesFor(url));
    const request = new Request(url, { ...init, headers, redirect: "manual" });
    const res = url.origin === ORIGIN ? await send(request) : await fetch(request);
    keep(url, res);
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location !== null) {
      url = new URL(location, url);
      init = {};
      continue;
    }
    const html = await res.text();
    const form = /<form method="post" action="([^"]+)"/.exec(html);
    if (form === null || url.origin === ORIGIN) return { status: res.status, html };
    const fields = new URLSearchParams();
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields.set(m[1]!, m[2]!.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c))));
    if (html.includes('name="user"')) fields.set("user", user);
    fields.set("decision", "approve");
    const action = new URL(form[1]!.replace(/&amp;/g, "&"), url);
    init = { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: action.origin }, body: fields.toString() };
    url = action;
  }
  throw new Error(`no page after ${maxSteps} steps`);
}
