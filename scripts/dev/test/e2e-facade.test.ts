/**
 * Sign-in through the edge OAuth facade (`npm run dev -- --auth facade`), end to end: the real
 * facade worker (@cloudflare/workers-oauth-provider) under wrangler dev in front of the real
 * Auth0 stand-in with its dynamic registration off, real MCP workers checking the facade's
 * tokens over their AUTH_SERVER service binding, and the MCP SDK's own OAuth client. Then the
 * security corpus against the running facade.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { CookieJar, openConsent, signInThroughFacade, submitConsent } from "@edge-mcp/testing/dev-browser";
import { REDIRECT, TestOAuthProvider } from "./helpers/oauth-provider.ts";
import { freePort, startDevEnvironment, type DevEnvironment, type RunningServer } from "../src/index.ts";
import { workerExits } from "./helpers/worker-exits.ts";

const exits = workerExits();
let env: DevEnvironment;
let notes: RunningServer;
let hello: RunningServer;
let facade: string;
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

beforeAll(async () => {
  env = await startDevEnvironment({
    onWorkerExit: exits.onWorkerExit,
    root: repoRoot,
    only: ["notes", "hello"],
    auth: "facade",
    stateDir: mkdtempSync(join(tmpdir(), "e2e-facade-state-")),
    facadePort: await freePort(),
    ports: { issuer: await freePort(), workers: { notes: await freePort(), hello: await freePort() } },
    keyFile: join(mkdtempSync(join(tmpdir(), "e2e-facade-")), "keys.json"),
    // notes remembers a facade token's check for 1 s (default 5 s): revocations show in a second.
    workerVars: { notes: { AUTH_FACADE_CACHE_S: "1" } },
  });
  notes = env.servers.find((s) => s.slug === "notes")!;
  hello = env.servers.find((s) => s.slug === "hello")!;
  facade = env.clientIssuer;
}, 180_000);

afterEach(exits.check);
afterAll(() => env?.stop(), 60_000);

const form = (fields: Record<string, string>) => new URLSearchParams(fields);

async function register(redirectUris = [REDIRECT]): Promise<string> {
  const res = await fetch(new URL("/oauth/register", facade), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_name: "corpus client", redirect_uris: redirectUris, token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"], response_types: ["code"] }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { client_id: string }).client_id;
}

/**
 * One registered client for the corpus tests that need any client (the facade lets one address
 * register only so many per hour); tests about a client's own grants register their own.
 */
let corpus: Promise<string> | undefined;
const corpusClient = () => (corpus ??= register());

async function pkce() {
  const verifier = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  const challenge = Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))).toString("base64url");
  return { verifier, challenge };
}

function authorizeUrl(params: Record<string, string>): URL {
  const url = new URL("/authorize", facade);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url;
}

/** A well-formed authorization request (PKCE S256) for `clientId`, and its code verifier. */
async function authorizationRequest(clientId: string, resource: string, scope: string) {
  const { verifier, challenge } = await pkce();
  const url = authorizeUrl({ client_id: clientId, response_type: "code", redirect_uri: REDIRECT, scope, resource, state: "s1", code_challenge: challenge, code_challenge_method: "S256" });
  return { url, verifier };
}

/** A code for `clientId` on `resource`, through consent and the stand-in's sign-in. */
async function codeFor(clientId: string, resource: string, scope: string) {
  const { url, verifier } = await authorizationRequest(clientId, resource, scope);
  const back = await signInThroughFacade(url);
  return { code: back.searchParams.get("code")!, verifier, back };
}

function redeem(clientId: string, code: string, verifier: string, resource: string) {
  return fetch(new URL("/oauth/token", facade), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: clientId, code_verifier: verifier, resource }),
  });
}

function refresh(clientId: string, refreshToken: string) {
  return fetch(new URL("/oauth/token", facade), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: clientId }),
  });
}

const initialize = (url: string, token: string) =>
  fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "corpus", version: "1" } } }),
  });

/** A revocation shows once notes' check cache (1 s here) lets go: poll until notes refuses the token (401). */
const refusedSoon = (accessToken: string) =>
  vi.waitFor(async () => expect((await initialize(notes.resource, accessToken)).status).toBe(401), { timeout: 20_000, interval: 250 });

describe("signing in through the OAuth facade with the MCP SDK client", () => {
  it("discovers the facade from the 401, registers there (DCR), consents, signs in at Auth0's stand-in, and calls tools on two servers", async () => {
    const provider = new TestOAuthProvider();
    const first = new StreamableHTTPClientTransport(new URL(notes.resource), { authProvider: provider });
    await expect(new Client({ name: "facade-e2e", version: "1" }).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    // The client was sent to the facade, not to Auth0: the facade is its authorization server.
    const authorize = provider.authorizationUrl!;
    expect(authorize.origin).toBe(facade);
    expect(authorize.searchParams.get("resource")).toBe(notes.resource);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    const back = await signInThroughFacade(authorize);
    expect(back.searchParams.get("iss")).toBe(facade); // RFC 9207
    await first.finishAuth(back.searchParams.get("code")!);
    // The facade's own opaque token: Auth0's JWT never reaches the client.
    expect(provider.saved?.access_token.split(".")).not.toHaveLength(3);

    const client = new Client({ name: "facade-e2e", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(new URL(notes.resource), { authProvider: provider }));
    const added = await client.callTool({ name: "add_note", arguments: { title: "Via the facade", text: "no open DCR at Auth0" } });
    expect(added.isError).toBeFalsy();
    const listed = await client.callTool({ name: "list_notes", arguments: {} });
    expect(JSON.stringify(listed.structuredContent)).toContain("Via the facade");
    await client.close();

    // The second server: its own authorization (its own audience), same facade, same client.
    const helloProvider = new TestOAuthProvider();
    helloProvider.info = provider.info;
    const helloFirst = new StreamableHTTPClientTransport(new URL(hello.resource), { authProvider: helloProvider });
    await expect(new Client({ name: "facade-e2e", version: "1" }).connect(helloFirst)).rejects.toBeInstanceOf(UnauthorizedError);
    await helloFirst.finishAuth((await signInThroughFacade(helloProvider.authorizationUrl!)).searchParams.get("code")!);
    const helloClient = new Client({ name: "facade-e2e", version: "1" });
    await helloClient.connect(new StreamableHTTPClientTransport(new URL(hello.resource), { authProvider: helloProvider }));
    const who = await helloClient.callTool({ name: "whoami", arguments: {} });
    // The servers see the Auth0 user and the client the facade registered.
    expect(who.structuredContent).toMatchObject({ subject: "dev|alice", clientId: provider.info!.client_id });
    await helloClient.close();
  }, 120_000);

  it("advertises itself per RFC 8414: S256 only, iss in responses, registration and CIMD", async () => {
    const res = await fetch(new URL("/.well-known/oauth-authorization-server", facade));
    const metadata = (await res.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: facade,
      authorization_endpoint: `${facade}/authorize`,
      token_endpoint: `${facade}/oauth/token`,
      registration_endpoint: `${facade}/oauth/register`,
      code_challenge_methods_supported: ["S256"],
      authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: true,
    });
    // Protected resource metadata names the facade, not Auth0, in facade mode.
    const prm = (await (await fetch(notes.metadataUrl)).json()) as { authorization_servers: string[] };
    expect(prm.authorization_servers).toEqual([facade]);
  });
});

describe("the facade's security corpus", () => {
  it("renders a consent page that refuses framing, names the client, the redirect host and the server", async () => {
    const page = await openConsent((await authorizationRequest(await corpusClient(), notes.resource, "tools.read")).url, new CookieJar());
    expect(page.response.status).toBe(200);
    expect(page.response.headers.get("x-frame-options")).toBe("DENY");
    expect(page.response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(page.html).toContain("corpus client");
    expect(page.html).toContain("not verified"); // a DCR client's name is self-asserted
    expect(page.html).toContain('id="redirect-host">127.0.0.1<');
    expect(page.html).toContain('id="loopback-warning"');
    expect(page.html).toContain(new URL(notes.resource).host);
  });

  it("refuses a consent form posted without the page's browser binding (CSRF): nothing is sent to Auth0", async () => {
    const page = await openConsent((await authorizationRequest(await corpusClient(), notes.resource, "tools.read")).url, new CookieJar());
    const forged = await submitConsent(facade, new CookieJar(), { handle: page.handle, scopes: page.scopes, decision: "approve" });
    expect(forged.status).toBe(400);
    expect(forged.headers.get("location")).toBeNull();
  });

  it("never redirects to a redirect_uri the client did not register (no open redirect)", async () => {
    const clientId = await corpusClient();
    const { challenge } = await pkce();
    for (const redirect of ["https://evil.example/cb", `${REDIRECT}/../evil`, "http://127.0.0.1:1/callbackx"]) {
      const res = await fetch(authorizeUrl({ client_id: clientId, response_type: "code", redirect_uri: redirect, resource: notes.resource, code_challenge: challenge, code_challenge_method: "S256" }), { redirect: "manual" });
      expect(res.status).toBe(400);
      expect(res.headers.get("location")).toBeNull();
    }
  });

  it("requires PKCE with S256: missing or plain is answered at the client's redirect URI with invalid_request", async () => {
    const clientId = await corpusClient();
    const missing = await fetch(authorizeUrl({ client_id: clientId, response_type: "code", redirect_uri: REDIRECT, resource: notes.resource, state: "p" }), { redirect: "manual" });
    expect(missing.status).toBe(302);
    expect(new URL(missing.headers.get("location")!).searchParams.get("error")).toBe("invalid_request");
    const plain = await fetch(authorizeUrl({ client_id: clientId, response_type: "code", redirect_uri: REDIRECT, resource: notes.resource, state: "p", code_challenge: "a".repeat(43), code_challenge_method: "plain" }), { redirect: "manual" });
    expect(plain.headers.get("location") === null ? plain.status : new URL(plain.headers.get("location")!).searchParams.get("error")).not.toBe(200);
    expect([302, 400]).toContain(plain.status);
    if (plain.status === 302) expect(new URL(plain.headers.get("location")!).searchParams.get("error")).toBe("invalid_request");
  });

  it("answers a resource it does not serve with invalid_target (RFC 8707)", async () => {
    const clientId = await corpusClient();
    const { challenge } = await pkce();
    const res = await fetch(authorizeUrl({ client_id: clientId, response_type: "code", redirect_uri: REDIRECT, resource: "https://elsewhere.example/mcp", code_challenge: challenge, code_challenge_method: "S256" }), { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get("location")!).searchParams.get("error")).toBe("invalid_target");
  });

  it("refuses a code replayed, revoking what it issued, and a code redeemed by another client", async () => {
    const alice = await register();
    const other = await register();
    const stolen = await codeFor(alice, notes.resource, "tools.read");
    expect((await redeem(other, stolen.code, stolen.verifier, notes.resource)).status).toBe(400); // another client

    const { code, verifier } = await codeFor(alice, notes.resource, "tools.read");
    const firstRes = await redeem(alice, code, verifier, notes.resource);
    expect(firstRes.status).toBe(200);
    const { access_token } = (await firstRes.json()) as { access_token: string };
    const replay = await redeem(alice, code, verifier, notes.resource);
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe("invalid_grant");
    // RFC 6749 §4.1.2: a replayed code revokes the tokens it issued (after the servers' check cache).
    await refusedSoon(access_token);
  }, 60_000);

  it("refuses a token for notes at hello (audience): 401 invalid_token", async () => {
    const clientId = await corpusClient();
    const { code, verifier } = await codeFor(clientId, notes.resource, "tools.read");
    const { access_token } = (await (await redeem(clientId, code, verifier, notes.resource)).json()) as { access_token: string };
    expect((await initialize(notes.resource, access_token)).status).toBe(200);
    const elsewhere = await initialize(hello.resource, access_token);
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.headers.get("www-authenticate")).toContain('error="invalid_token"');
  }, 60_000);

  it("revokes the whole family when a rotated refresh token is presented again", async () => {
    const clientId = await corpusClient();
    const { code, verifier } = await codeFor(clientId, notes.resource, "tools.read offline_access");
    const issued = (await (await redeem(clientId, code, verifier, notes.resource)).json()) as { access_token: string; refresh_token: string };
    const second = (await (await refresh(clientId, issued.refresh_token)).json()) as { access_token: string; refresh_token: string };
    const third = (await (await refresh(clientId, second.refresh_token)).json()) as { access_token: string; refresh_token: string };
    expect(third.refresh_token).toEqual(expect.any(String));
    const reused = await refresh(clientId, issued.refresh_token); // rotated twice: it leaked
    expect(reused.status).toBe(400);
    expect(((await reused.json()) as { error: string }).error).toBe("invalid_grant");
    expect((await refresh(clientId, third.refresh_token)).status).toBe(400); // the family is gone
    await refusedSoon(third.access_token);
  }, 60_000);

  it("refuses CIMD client ids that are not https or name private addresses, before fetching anything", async () => {
    const { challenge } = await pkce();
    for (const clientId of ["http://client.example/cimd.json", "https://10.0.0.7/cimd.json", "https://169.254.169.254/latest/meta-data", "https://[::1]/c.json", "https://metadata.internal/c.json"]) {
      const res = await fetch(authorizeUrl({ client_id: clientId, response_type: "code", redirect_uri: REDIRECT, resource: notes.resource, code_challenge: challenge, code_challenge_method: "S256" }), { redirect: "manual" });
      expect(res.status, clientId).toBe(400);
      expect(res.headers.get("location")).toBeNull();
    }
  });

  it("answers a facade token without tools.write calling add_note with the same 403 step-up challenge as for Auth0 tokens", async () => {
    const clientId = await corpusClient();
    const { code, verifier } = await codeFor(clientId, notes.resource, "tools.read");
    const { access_token, scope } = (await (await redeem(clientId, code, verifier, notes.resource)).json()) as { access_token: string; scope: string };
    expect(scope.split(" ")).not.toContain("tools.write");
    const init = await initialize(notes.resource, access_token);
    const sessionId = init.headers.get("mcp-session-id")!;
    await init.body?.cancel();
    const res = await fetch(notes.resource, {
      method: "POST",
      headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-session-id": sessionId, "mcp-protocol-version": "2025-11-25" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "add_note", arguments: { title: "x", text: "y" } } }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer error="insufficient_scope", error_description="This operation needs the scopes: tools.write.", scope="tools.write", resource_metadata="${notes.metadataUrl}"`,
    );
  }, 60_000);

  it("refuses Auth0's callback in a browser that did not start the sign-in (state bound to the browser)", async () => {
    const clientId = await corpusClient();
    const { url } = await authorizationRequest(clientId, notes.resource, "tools.read");
    const jar = new CookieJar();
    const page = await openConsent(url, jar);
    const toUpstream = await submitConsent(facade, jar, { handle: page.handle, scopes: page.scopes, decision: "approve" });
    const state = new URL(toUpstream.headers.get("location")!).searchParams.get("state")!;
    // The attacker's browser (no binding cookie) arrives with the victim's state and a code.
    const forged = await fetch(new URL(`/callback?state=${encodeURIComponent(state)}&code=stolen`, facade), { redirect: "manual" });
    expect(forged.status).toBe(400);
    expect(forged.headers.get("location")).toBeNull();
  });

  it("revokes an access token on request (RFC 7009): the servers refuse it after their check cache", async () => {
    const clientId = await corpusClient();
    const { code, verifier } = await codeFor(clientId, notes.resource, "tools.read");
    const { access_token } = (await (await redeem(clientId, code, verifier, notes.resource)).json()) as { access_token: string };
    expect((await initialize(notes.resource, access_token)).status).toBe(200);
    const revoked = await fetch(new URL("/oauth/token", facade), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form({ token: access_token, token_type_hint: "access_token", client_id: clientId }),
    });
    expect(revoked.status).toBe(200);
    await refusedSoon(access_token);
  }, 60_000);
  // Last: it spends this address's registrations for the hour.
  it("rate-limits dynamic registration per address (429 with Retry-After)", async () => {
    let limited: Response | undefined;
    for (let i = 0; i < 12 && limited === undefined; i++) {
      const res = await fetch(new URL("/oauth/register", facade), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "none" }),
      });
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(201);
    }
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
