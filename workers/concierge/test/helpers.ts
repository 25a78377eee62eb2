import { env, exports } from "cloudflare:workers";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { connectMcp } from "@edge-mcp/testing";
import { followFormsInBrowser } from "@edge-mcp/testing/dev-browser";
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
 * Follows a connect link as the user's browser: the authorization server's sign-in (as `user`,
 * "allow") and the provider's consent; concierge's own pages are served in process, and the first
 * of them that is not the start of the flow is the result.
 */
export async function connectInBrowser(link: string, user: string): Promise<{ status: number; html: string }> {
  return followFormsInBrowser(link, { user, fetchPage: (request) => (new URL(request.url).origin === ORIGIN ? send(request) : fetch(request)), isFinal: (url) => url.origin === ORIGIN });
}
