import type { TokenClaims } from "./tokens.ts";

const b64 = (v: unknown) => btoa(typeof v === "string" ? v : JSON.stringify(v)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const now = () => Math.floor(Date.now() / 1000);

export interface AbuseCase {
  readonly name: string;
  build(): Promise<Request>;
  /** The status the request must get. */
  readonly status: number;
  /** Only meaningful against a stateful server (sessions). */
  readonly stateful?: boolean;
}
type Case = AbuseCase;

export interface AbuseCorpusOptions {
  /** The MCP endpoint under test (https). */
  readonly resource: string;
  /** Mints a valid token for it; claims overridable (aud, iss, sub, expiresInSeconds). */
  readonly token: (claims?: TokenClaims) => Promise<string>;
  /** A request that succeeds with a good token (an initialize). */
  readonly initialize: unknown;
  /** A host other than the resource's, for the rebinding case. */
  readonly otherOrigin?: string;
}

function requestMaker(RESOURCE: string, INITIALIZE: unknown) {
  return function mcpRequest(headers: Record<string, string>, body: string = JSON.stringify(INITIALIZE), url = RESOURCE, method = "POST"): Request {
    return new Request(url, { method, headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, ...(method === "GET" || method === "DELETE" ? {} : { body }) });
  };
}
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

async function badTokens(o: AbuseCorpusOptions): Promise<Case[]> {
  const { token, resource: RESOURCE } = o;
  const origin = new URL(RESOURCE);
  const good = await token();
  const [h, p, s] = good.split(".") as [string, string, string];
  const payload = JSON.parse(atob(p.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
  const withPayload = (patch: Record<string, unknown>) => `${h}.${b64({ ...payload, ...patch })}.${s}`;
  const tokens: Array<[string, () => Promise<string> | string]> = [
    ["alg none", () => `${b64({ alg: "none" })}.${p}.`],
    ["alg HS256", () => `${b64({ alg: "HS256", kid: "x" })}.${p}.${s}`],
    ["alg RS512", () => `${b64({ alg: "RS512", kid: "x" })}.${p}.${s}`],
    ["alg ES256", () => `${b64({ alg: "ES256", kid: "x" })}.${p}.${s}`],
    ["no kid", () => `${b64({ alg: "RS256" })}.${p}.${s}`],
    ["unknown kid", () => `${b64({ alg: "RS256", kid: "nope" })}.${p}.${s}`],
    ["sub changed", () => withPayload({ sub: "auth0|mallory" })],
    ["scope escalated", () => withPayload({ scope: "tools.read tools.write", permissions: ["tools.write"] })],
    ["aud changed", () => withPayload({ aud: `${origin.protocol}//other-${origin.host}/mcp` })],
    ["exp extended", () => withPayload({ exp: now() + 86_400 })],
    ["expired", () => token({ expiresInSeconds: -3600 })],
    ["wrong audience", () => token({ aud: `${origin.protocol}//other-${origin.host}/mcp` })],
    ["trailing-slash audience", () => token({ aud: `${RESOURCE}/` })],
    ["wrong issuer", () => token({ iss: "https://evil.example.test/" })],
    ["issuer without slash", () => token({ iss: "https://tenant.example-auth.test" })],
    ["truncated signature", () => good.slice(0, -8)],
    ["empty signature", () => `${h}.${p}.`],
    ["signature of another token", async () => `${h}.${p}.${(await token({ sub: "other" })).split(".")[2]}`],
    ["two segments", () => `${h}.${p}`],
    ["four segments", () => `${good}.x`],
    ["five segments", () => `${good}.x.y`],
    ["header not JSON", () => `${b64("nope")}.${p}.${s}`],
    ["header JSON array", () => `${b64([1])}.${p}.${s}`],
    ["payload not JSON", () => `${h}.${b64("nope")}.${s}`],
    ["payload JSON null", () => `${h}.${b64("null")}.${s}`],
    ["random base64", () => b64(crypto.randomUUID())],
    ["JWE-looking", () => `${b64({ alg: "RSA-OAEP", enc: "A256GCM" })}.a.b.c.d`],
    ["crit header", () => `${b64({ alg: "RS256", kid: "x", crit: ["zzz"], zzz: 1 })}.${p}.${s}`],
    ["missing sub", () => withPayload({ sub: undefined })],
    ["numeric sub", () => withPayload({ sub: 42 })],
    ["nbf in future", () => withPayload({ nbf: now() + 3600 })],
  ];
  const cases: Case[] = [];
  for (const [name, make] of tokens) {
    const t = await make();
    cases.push({ name: `token: ${name}`, build: async () => requestMaker(RESOURCE, o.initialize)(bearer(t)), status: 401 });
  }
  return cases;
}

function malformedCases(o: AbuseCorpusOptions): Case[] {
  const { token, resource: RESOURCE } = o;
  const mcpRequest = requestMaker(RESOURCE, o.initialize);
  const INITIALIZE = o.initialize;
  const origin = new URL(RESOURCE);
  return [
  { name: "no credentials", build: async () => mcpRequest({}), status: 401 },
  { name: "Basic credentials", build: async () => mcpRequest({ authorization: "Basic dXNlcjpwYXNz" }), status: 401 },
  // The header a gateway uses on a backend's McpBackend entrypoint means nothing on the public endpoint.
  { name: "forged gateway caller header, no token", build: async () => mcpRequest({ "x-edge-mcp-caller": JSON.stringify({ subject: "auth0|admin", clientId: "x", scopes: ["tools.read", "tools.write"] }) }), status: 401 },
  { name: "two Authorization headers", build: async () => {
    const r = mcpRequest({});
    r.headers.append("authorization", `Bearer ${await token()}`);
    r.headers.append("authorization", `Bearer ${await token()}`);
    return r;
  }, status: 400 },
  // Raw CR/LF cannot even be put in a header (the Fetch API and workerd's HTTP parser refuse it);
  // an escaped one is outside the b64token alphabet: malformed (RFC 6750 §2.1).
  { name: "escaped CRLF in the header value", build: async () => mcpRequest({ authorization: `Bearer abc%0D%0AX-Injected:%201` }), status: 400 },
  { name: "9 KiB token (over the 8 KiB header limit)", build: async () => mcpRequest({ authorization: `Bearer ${"A".repeat(9 * 1024)}` }), status: 400 },
  { name: "tab after Bearer", build: async () => mcpRequest({ authorization: `Bearer\t${await token()}` }), status: 400 },
  { name: "Bearer with no token", build: async () => mcpRequest({ authorization: "Bearer" }), status: 400 },
  { name: "16 KiB Authorization header", build: async () => mcpRequest({ authorization: `Bearer ${"a".repeat(16 * 1024)}` }), status: 400 },
  { name: "token in the query string", build: async () => mcpRequest({}, JSON.stringify(INITIALIZE), `${RESOURCE}?access_token=${await token()}`), status: 400 },
  { name: "2 MiB body", build: async () => mcpRequest({ ...bearer(await token()), "content-length": String(2 * 1024 * 1024) }, "x"), status: 413 },
  { name: "text/plain body", build: async () => mcpRequest({ ...bearer(await token()), "content-type": "text/plain" }), status: 415 },
  { name: "invalid JSON", build: async () => mcpRequest(bearer(await token()), "{"), status: 400 },
  { name: "JSON-RPC 1.0", build: async () => mcpRequest(bearer(await token()), JSON.stringify({ jsonrpc: "1.0", id: 1, method: "ping" })), status: 400 },
  { name: "batch bomb", build: async () => mcpRequest(bearer(await token()), JSON.stringify(Array.from({ length: 10_000 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "ping" })))), status: 400 },
  { stateful: true, name: "unknown method without a session", build: async () => mcpRequest(bearer(await token()), JSON.stringify({ jsonrpc: "2.0", id: 1, method: "admin/shutdown" })), status: 400 },
  { name: "unsupported protocol version", build: async () => mcpRequest({ ...bearer(await token()), "mcp-protocol-version": "2099-01-01" }), status: 400 },
  { name: "evil Origin", build: async () => mcpRequest({ ...bearer(await token()), origin: "https://evil.example" }), status: 403 },
  { name: "Origin null", build: async () => mcpRequest({ ...bearer(await token()), origin: "null" }), status: 403 },
  { name: "rebinding Host", build: async () => mcpRequest(bearer(await token()), JSON.stringify(INITIALIZE), `${origin.protocol}//127.0.0.1${origin.pathname}`), status: 403 },
  { stateful: true, name: "guessed session id", build: async () => mcpRequest({ ...bearer(await token()), "mcp-session-id": "A".repeat(43) }, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })), status: 404 },
  { stateful: true, name: "path-traversal session id", build: async () => mcpRequest({ ...bearer(await token()), "mcp-session-id": "../../x" }, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })), status: 404 },
  { stateful: true, name: "GET with a guessed session", build: async () => mcpRequest({ ...bearer(await token()), "mcp-session-id": "B".repeat(43), accept: "text/event-stream" }, "", RESOURCE, "GET"), status: 404 },
  { stateful: true, name: "DELETE with a guessed session", build: async () => mcpRequest({ ...bearer(await token()), "mcp-session-id": "C".repeat(43) }, "", RESOURCE, "DELETE"), status: 404 },
  { name: "PUT", build: async () => mcpRequest(bearer(await token()), "{}", RESOURCE, "PUT"), status: 405 },
  { name: "unknown path", build: async () => mcpRequest(bearer(await token()), "{}", `${origin.origin}/admin`), status: 404 },
  ];
}

/**
 * The abuse corpus: forged, expired and malformed tokens, header tricks, oversized and malformed
 * bodies, Origin/Host attacks, guessed sessions — each with the precise status it must get.
 * Shared by every worker's tests (a server, the gateway).
 */
export async function abuseCorpus(o: AbuseCorpusOptions): Promise<AbuseCase[]> {
  return [...(await badTokens(o)), ...malformedCases(o)];
}

