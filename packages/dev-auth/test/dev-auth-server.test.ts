import { mkdtempSync, statSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTokenVerifier } from "@edge-mcp/auth";
import { approveInBrowser } from "@edge-mcp/testing/dev-browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOrCreateSigningKey, mintAccessToken, startDevAuthServer, type DevAuthServer } from "../src/index.ts";

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
const NOTES = "http://localhost:8801/mcp";
const TASKS = "http://localhost:8802/mcp";
const REDIRECT = "http://127.0.0.1:7777/callback";
const CI_BOT_SECRET = "ci-bot-secret-for-tests-0123456789abcdef";
const CIMD_CLIENT = "https://cimd.example.com/mcp-client.json";
const CIMD_IMPOSTOR = "https://cimd.example.com/impostor.json";
/** The CIMD documents' publisher: answers the stand-in's fetch of them (no network here). */
const cimdFetches: string[] = [];
async function publishCimd(input: string | URL | Request): Promise<Response> {
  const url = String(input instanceof Request ? input.url : input);
  cimdFetches.push(url);
  const clientId = url === CIMD_IMPOSTOR ? CIMD_CLIENT : url; // the impostor names another client
  return Response.json({ client_id: clientId, client_name: "CIMD Client", redirect_uris: [REDIRECT], token_endpoint_auth_method: "none", grant_types: ["authorization_code"], response_types: ["code"] });
}
let server: DevAuthServer;
const warnings: string[] = [];
let issuer: string;
let keyFile: string;

async function pkce() {
  const verifier = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  const challenge = Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))).toString("base64url");
  return { verifier, challenge };
}

async function register(body: Record<string, unknown>) {
  const res = await fetch(new URL("reg", issuer), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return (await res.json()) as { client_id: string; client_secret?: string };
}

async function authorizationCodeFlow(resource: string, scope: string, decision: "approve" | "deny" = "approve", user?: string) {
  const client = await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"], client_name: "Test MCP Client" });
  const { verifier, challenge } = await pkce();
  const authorize = new URL("auth", issuer);
  for (const [k, v] of Object.entries({ client_id: client.client_id, response_type: "code", redirect_uri: REDIRECT, scope, resource, code_challenge: challenge, code_challenge_method: "S256", state: "s1" })) {
    authorize.searchParams.set(k, v);
  }
  const back = await approveInBrowser(authorize, { decision, ...(user === undefined ? {} : { user }) });
  return { client, verifier, back };
}

async function exchange(clientId: string, code: string, verifier: string, resource: string) {
  const res = await fetch(new URL("token", issuer), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: clientId, code_verifier: verifier, resource }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** oidc-provider's console.info lines ("oidc-provider NOTICE: …"): each reads as a problem in `npm run dev`'s console. */
const notices: string[] = [];

beforeAll(async () => {
  const warn = console.warn;
  const info = console.info;
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(" "));
  console.info = (...args: unknown[]) => void notices.push(args.map(String).join(" "));
  afterAll(() => void ((console.warn = warn), (console.info = info)));
  const port = await freePort();
  issuer = `http://localhost:${port}/`;
  keyFile = join(mkdtempSync(join(tmpdir(), "dev-auth-")), "keys.json");
  server = await startDevAuthServer({
    issuer,
    port,
    signingKey: await loadOrCreateSigningKey(keyFile),
    user: { sub: "dev|alice", name: "Alice", email: "alice@example.dev" },
    extraUsers: [{ sub: "dev|bob", name: "Bob", email: "bob@example.dev" }],
    resourceServers: [
      { slug: "notes", name: "Notes", identifier: NOTES, scopes: ["tools.read", "tools.write"], machineGrants: { "ci-bot": ["tools.read"] } },
      { slug: "tasks", name: "Tasks", identifier: TASKS, scopes: ["tools.read"], machineGrants: {} },
    ],
    machineClients: [{ clientId: "ci-bot", clientSecret: CI_BOT_SECRET }],
    clientIdMetadataDocuments: { enabled: true, fetch: publishCimd as typeof fetch },
  });
});
afterAll(() => server.close());

describe("local authorization server (Auth0 stand-in)", () => {
  it("serves OIDC and RFC 8414 discovery with PKCE S256 only, DCR and the JWKS", async () => {
    for (const path of [".well-known/openid-configuration", ".well-known/oauth-authorization-server"]) {
      const meta = (await (await fetch(new URL(path, issuer))).json()) as Record<string, unknown>;
      expect(meta.issuer).toBe(issuer);
      expect(meta.code_challenge_methods_supported).toEqual(["S256"]);
      expect(meta.registration_endpoint).toBe(`${issuer}reg`);
      expect(meta.jwks_uri).toBe(`${issuer}.well-known/jwks.json`);
      expect(meta.grant_types_supported).toEqual(expect.arrayContaining(["authorization_code", "refresh_token", "client_credentials"]));
    }
    const jwks = (await (await fetch(new URL(".well-known/jwks.json", issuer))).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys[0]).toMatchObject({ kty: "RSA", use: "sig" });
    expect(jwks.keys[0]).not.toHaveProperty("d");
  });

  it("issues an Auth0-shaped RS256 access token whose audience is the requested resource (RFC 8707)", async () => {
    const { client, verifier, back } = await authorizationCodeFlow(NOTES, "tools.read tools.write");
    expect(back.searchParams.get("iss")).toBe(issuer); // RFC 9207
    const { status, body } = await exchange(client.client_id, back.searchParams.get("code")!, verifier, NOTES);
    expect(status).toBe(200);
    expect(body.refresh_token).toEqual(expect.any(String));
    const ctx = await createTokenVerifier({ issuer, audiences: [NOTES], store: null }).verify(body.access_token!);
    expect(ctx).toMatchObject({ subject: "dev|alice", clientId: client.client_id });
    expect([...ctx.scopes].sort()).toEqual(["tools.read", "tools.write"]);
    expect(ctx.claims.permissions).toEqual(["tools.read", "tools.write"]);
    expect(ctx.claims.azp).toBe(client.client_id);
  });

  it("exchanges a refresh token for a new access token for the same resource", async () => {
    const { client, verifier, back } = await authorizationCodeFlow(NOTES, "tools.read");
    const first = await exchange(client.client_id, back.searchParams.get("code")!, verifier, NOTES);
    const res = await fetch(new URL("token", issuer), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: first.body.refresh_token!, client_id: client.client_id, resource: NOTES }),
    });
    expect(res.status).toBe(200);
    const refreshed = (await res.json()) as { access_token: string };
    expect(refreshed.access_token).not.toBe(first.body.access_token);
    const ctx = await createTokenVerifier({ issuer, audiences: [NOTES], store: null }).verify(refreshed.access_token);
    expect(ctx).toMatchObject({ subject: "dev|alice", clientId: client.client_id, scopes: ["tools.read"] });
  });

  it("advertises and allows only the authorization code flow, as Auth0's setup for MCP (no implicit, no id_token response)", async () => {
    const meta = (await (await fetch(new URL(".well-known/oauth-authorization-server", issuer))).json()) as Record<string, unknown>;
    expect(meta.response_types_supported).toEqual(["code"]);
    expect(meta.grant_types_supported).not.toContain("implicit");
    const client = await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "none", grant_types: ["authorization_code"], client_name: "Implicit" });
    const { challenge } = await pkce();
    const authorize = new URL("auth", issuer);
    for (const [k, v] of Object.entries({ client_id: client.client_id, response_type: "id_token", redirect_uri: REDIRECT, scope: "openid", nonce: "n", code_challenge: challenge, code_challenge_method: "S256", state: "s" })) authorize.searchParams.set(k, v);
    const res = await fetch(authorize, { redirect: "manual" });
    const location = new URL(res.headers.get("location") ?? "http://none/", issuer);
    expect(location.searchParams.get("error") ?? new URLSearchParams(location.hash.slice(1)).get("error")).toMatch(/unsupported_response_type|unauthorized_client/);
  });

  it("offers every dev user ecosystem.json declares on its sign-in page, and signs in the one picked", async () => {
    const client = await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "none", grant_types: ["authorization_code"], client_name: "Picker" });
    const { challenge } = await pkce();
    const authorize = new URL("auth", issuer);
    for (const [k, v] of Object.entries({ client_id: client.client_id, response_type: "code", redirect_uri: REDIRECT, scope: "tools.read", resource: NOTES, code_challenge: challenge, code_challenge_method: "S256", state: "s" })) authorize.searchParams.set(k, v);
    const first = await fetch(authorize, { redirect: "manual" });
    const page = await fetch(new URL(first.headers.get("location")!, issuer), { headers: { cookie: first.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ") } });
    const html = await page.text();
    expect(html).toContain('value="dev|alice" checked');
    expect(html).toContain('value="dev|bob"');

    const { client: bobClient, verifier, back } = await authorizationCodeFlow(NOTES, "tools.read", "approve", "dev|bob");
    const { body } = await exchange(bobClient.client_id, back.searchParams.get("code")!, verifier, NOTES);
    const ctx = await createTokenVerifier({ issuer, audiences: [NOTES], store: null }).verify(body.access_token!);
    expect(ctx.subject).toBe("dev|bob");
  });

  it("refuses to sign in a user who is not a dev user", async () => {
    await expect(authorizationCodeFlow(NOTES, "tools.read", "approve", "dev|mallory")).rejects.toThrow(/unexpected 400/);
  });

  it("prints no oidc-provider NOTICE, an ID token issued and an error page rendered included (quiet dev console)", async () => {
    const { client, verifier, back } = await authorizationCodeFlow(NOTES, "openid profile tools.read");
    const { body } = await exchange(client.client_id, back.searchParams.get("code")!, verifier, NOTES);
    expect(body.id_token).toEqual(expect.any(String));
    const error = await fetch(new URL("auth?client_id=nobody&response_type=code", issuer));
    expect(await error.text()).toContain("Sign-in failed");
    expect(notices.filter((n) => n.includes("NOTICE"))).toEqual([]);
  });

  it("never puts a scope the resource does not define into its token", async () => {
    const { client, verifier, back } = await authorizationCodeFlow(TASKS, "tools.read tools.write");
    const { body } = await exchange(client.client_id, back.searchParams.get("code")!, verifier, TASKS);
    const ctx = await createTokenVerifier({ issuer, audiences: [TASKS], store: null }).verify(body.access_token!);
    expect(ctx.scopes).toEqual(["tools.read"]);
  });

  it("refuses an authorization request without PKCE", async () => {
    const client = await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "none" });
    const authorize = new URL("auth", issuer);
    for (const [k, v] of Object.entries({ client_id: client.client_id, response_type: "code", redirect_uri: REDIRECT, scope: "tools.read", resource: NOTES })) authorize.searchParams.set(k, v);
    const res = await fetch(authorize, { redirect: "manual" });
    expect(new URL(res.headers.get("location")!).searchParams.get("error")).toBe("invalid_request");
  });

  it("refuses an unknown resource with invalid_target", async () => {
    const client = await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "none" });
    const { challenge } = await pkce();
    const authorize = new URL("auth", issuer);
    for (const [k, v] of Object.entries({ client_id: client.client_id, response_type: "code", redirect_uri: REDIRECT, scope: "tools.read", resource: "http://localhost:1/mcp", code_challenge: challenge, code_challenge_method: "S256" })) {
      authorize.searchParams.set(k, v);
    }
    const res = await fetch(authorize, { redirect: "manual" });
    expect(new URL(res.headers.get("location")!).searchParams.get("error")).toBe("invalid_target");
  });

  it("returns access_denied when the user clicks Deny", async () => {
    const { back } = await authorizationCodeFlow(NOTES, "tools.read", "deny");
    expect(back.searchParams.get("error")).toBe("access_denied");
  });

  async function clientCredentials(clientId: string, secret: string, resource: string, scope?: string) {
    const res = await fetch(new URL("token", issuer), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: secret, resource, ...(scope === undefined ? {} : { scope }) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  }

  it("issues a machine client the scopes its grant names, and no more (Auth0 client grants)", async () => {
    const ok = await clientCredentials("ci-bot", CI_BOT_SECRET, NOTES, "tools.read");
    expect(ok.status).toBe(200);
    const ctx = await createTokenVerifier({ issuer, audiences: [NOTES], store: null }).verify(ok.body.access_token!);
    expect(ctx).toMatchObject({ clientId: "ci-bot", scopes: ["tools.read"] });
    // Asking for more than the grant gets the grant's scopes at most (never tools.write).
    const beyond = await clientCredentials("ci-bot", CI_BOT_SECRET, NOTES, "tools.read tools.write");
    const wider = await createTokenVerifier({ issuer, audiences: [NOTES], store: null }).verify(beyond.body.access_token!);
    expect(wider.scopes).toEqual(["tools.read"]);
  });

  it("refuses client credentials for an API that grants the machine client nothing", async () => {
    const refused = await clientCredentials("ci-bot", CI_BOT_SECRET, TASKS);
    expect(refused.body.error).toBe("unauthorized_client");
    expect(refused.body).not.toHaveProperty("access_token");
  });

  it("never gives a dynamically registered client a client-credentials token (anonymous DCR is not a machine grant)", async () => {
    const m2m = await register({ grant_types: ["client_credentials"], token_endpoint_auth_method: "client_secret_post", response_types: [], redirect_uris: [] });
    const refused = await clientCredentials(m2m.client_id, m2m.client_secret!, NOTES, "tools.read");
    expect(refused.body.error).toBe("unauthorized_client");
    expect(refused.body).not.toHaveProperty("access_token");
  });

  it("refuses a request whose Host is not a loopback name on its port (DNS rebinding)", async () => {
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(new URL("reg", issuer), { method: "POST", headers: { host: "evil.example:80", "content-type": "application/json" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end(JSON.stringify({ redirect_uris: [REDIRECT] }));
    });
    expect(status).toBe(403);
  });

  it("serves the sign-in page unframeable and accepts the consent post only from its own origin (CSRF)", async () => {
    const client = await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "none", grant_types: ["authorization_code"] });
    const { challenge } = await pkce();
    const authorize = new URL("auth", issuer);
    for (const [k, v] of Object.entries({ client_id: client.client_id, response_type: "code", redirect_uri: REDIRECT, scope: "tools.read", resource: NOTES, code_challenge: challenge, code_challenge_method: "S256" })) {
      authorize.searchParams.set(k, v);
    }
    const first = await fetch(authorize, { redirect: "manual" });
    const cookie = first.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const page = await fetch(new URL(first.headers.get("location")!, issuer), { headers: { cookie } });
    expect(page.headers.get("content-security-policy")).toBe("frame-ancestors 'none'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    const action = /action="([^"]+)"/.exec(await page.text())![1]!;
    const post = (origin?: string) =>
      fetch(new URL(action, issuer), {
        method: "POST",
        redirect: "manual",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded", ...(origin === undefined ? {} : { origin }) },
        body: "decision=approve",
      });
    expect((await post()).status).toBe(403);
    expect((await post("https://evil.example")).status).toBe(403);
    expect((await post(new URL(issuer).origin)).status).toBe(303);
  });

  it("prints no oidc-provider in-memory adapter warning", () => {
    expect(warnings.filter((w) => /oidc-provider/i.test(w))).toEqual([]);
  });

  it("keeps its signing key across restarts in a 0600 file, so tokens stay valid", async () => {
    const again = await loadOrCreateSigningKey(keyFile);
    const token = await mintAccessToken(again, { issuer, audience: NOTES, subject: "dev|bob", clientId: "cli", scopes: ["tools.read"] });
    await expect(createTokenVerifier({ issuer, audiences: [NOTES], store: null }).verify(token)).resolves.toMatchObject({ subject: "dev|bob" });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it("says which port is taken when it cannot listen", async () => {
    const port = Number(new URL(issuer).port);
    await expect(
      startDevAuthServer({ issuer, port, signingKey: await loadOrCreateSigningKey(keyFile), user: { sub: "u", name: "u", email: "u@example.dev" }, resourceServers: [] }),
    ).rejects.toThrow(`Port ${port} is in use`);
  });
});

describe("a resource asked for with no scope (as a client whose server lists none asks)", () => {
  it("signs the user in and issues a token for the resource with no resource scopes, as Auth0 does", async () => {
    const { client, verifier, back } = await authorizationCodeFlow(NOTES, "");
    expect(back.searchParams.get("error"), back.searchParams.get("error_description") ?? "").toBeNull(); // was access_denied
    const { status, body } = await exchange(client.client_id, back.searchParams.get("code")!, verifier, NOTES);
    expect(status).toBe(200);
    const ctx = await createTokenVerifier({ issuer, audiences: [NOTES], store: null }).verify(body.access_token!);
    expect(ctx.subject).toBe("dev|alice");
    expect(ctx.scopes).toEqual([]);
  });

  it("still says so when the user really denies it", async () => {
    const { back } = await authorizationCodeFlow(NOTES, "", "deny");
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("error_description")).toBe("The user denied the request.");
  });
});

describe("Client ID Metadata Documents at the stand-in (Auth0's CIMD path, locally)", () => {
  it("advertises CIMD and signs a client in by its document URL; the token's azp and client_id are that URL", async () => {
    const meta = (await (await fetch(new URL(".well-known/oauth-authorization-server", issuer))).json()) as Record<string, unknown>;
    expect(meta.client_id_metadata_document_supported).toBe(true);
    const { verifier, challenge } = await pkce();
    const authorize = new URL("auth", issuer);
    for (const [k, v] of Object.entries({ client_id: CIMD_CLIENT, response_type: "code", redirect_uri: REDIRECT, scope: "tools.read", resource: NOTES, code_challenge: challenge, code_challenge_method: "S256", state: "c1" })) {
      authorize.searchParams.set(k, v);
    }
    const back = await approveInBrowser(authorize);
    expect(cimdFetches).toContain(CIMD_CLIENT);
    const { status, body } = await exchange(CIMD_CLIENT, back.searchParams.get("code")!, verifier, NOTES);
    expect(status).toBe(200);
    const claims = JSON.parse(Buffer.from(body.access_token!.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ aud: NOTES, azp: CIMD_CLIENT, client_id: CIMD_CLIENT });
  });

  it("refuses a document that names another client_id, without redirecting", async () => {
    const { challenge } = await pkce();
    const authorize = new URL("auth", issuer);
    for (const [k, v] of Object.entries({ client_id: CIMD_IMPOSTOR, response_type: "code", redirect_uri: REDIRECT, scope: "tools.read", resource: NOTES, code_challenge: challenge, code_challenge_method: "S256" })) {
      authorize.searchParams.set(k, v);
    }
    const res = await fetch(authorize, { redirect: "manual" });
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
  });
});
