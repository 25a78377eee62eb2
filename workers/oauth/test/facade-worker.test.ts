import { env, exports } from "cloudflare:workers";
import { countingBody } from "@edge-mcp/testing";
import { describe, expect, it } from "vitest";

const ISSUER = "https://auth.example.test";
const NOTES = "https://notes-mcp.example.test/mcp";
const REDIRECT = "http://127.0.0.1:33418/callback";

function facadeFetch(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(new URL(path, ISSUER), { redirect: "manual", ...init }));
}

async function register(metadata: Record<string, unknown>, ip = "198.51.100.7"): Promise<Response> {
  return facadeFetch("/oauth/register", {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": ip },
    body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "none", ...metadata }),
  });
}

async function challenge(): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("v".repeat(43)));
  return btoa(String.fromCharCode(...new Uint8Array(digest))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

describe("the OAuth facade worker", () => {
  it("publishes RFC 8414 metadata naming every fleet resource, S256 only, CIMD and iss support", async () => {
    const res = await facadeFetch("/.well-known/oauth-authorization-server");
    expect(res.status).toBe(200);
    const metadata = (await res.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: ISSUER,
      code_challenge_methods_supported: ["S256"],
      authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: true,
      scopes_supported: ["tools.read", "tools.write", "offline_access"],
    });
    expect(metadata.protected_resources).toEqual([NOTES, "https://hello-mcp.example.test/mcp"]);
  });

  it("escapes a registered client's name on the consent page (it is attacker-chosen)", async () => {
    const reg = await register({ client_name: `<script>alert("x")</script>` }, "198.51.100.1");
    const { client_id } = (await reg.json()) as { client_id: string };
    const url = new URL("/authorize", ISSUER);
    for (const [k, v] of Object.entries({ client_id, response_type: "code", redirect_uri: REDIRECT, resource: NOTES, scope: "tools.read", code_challenge: await challenge(), code_challenge_method: "S256", state: "s" })) {
      url.searchParams.set(k, v);
    }
    const page = await facadeFetch(url.pathname + url.search);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).not.toContain("<script>");
    expect(html).toContain("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.headers.get("content-security-policy")).toContain("form-action 'self' https://tenant.example-auth.test");
  });

  it("limits dynamic registration per address: the 4th in an hour from one IP gets 429, another IP still registers", async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await register({ client_name: `c${i}` }, "203.0.113.9")).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    const limited = await register({}, "203.0.113.9");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(3000);
    expect(await limited.json()).toMatchObject({ error: "temporarily_unavailable" });
    expect((await register({}, "203.0.113.10")).status).toBe(201);
  });

  it("refuses a CIMD client id on a private address at the token endpoint too (no fetch from there either)", async () => {
    const res = await facadeFetch("/oauth/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", client_id: "https://192.168.1.1/client.json", code: "x", code_verifier: "y" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_client" });
  });

  it("validates its own tokens only for the resource they were issued for, over the entrypoint servers bind to", async () => {
    // An unknown token is not active: null, which servers answer with 401 invalid_token.
    expect(await exports.default.validateToken(NOTES, "bogus:grant:secret")).toBeNull();
  });

  it.each(["/oauth/token", "/authorize", "/oauth/register"])("refuses an unauthenticated 200 MB chunked POST to %s with 413, having read at most its 64 KiB limit", async (path) => {
    const { stream, counter } = countingBody(200 * 1_048_576);
    const res = await facadeFetch(path, {
      method: "POST",
      headers: { "content-type": path === "/oauth/register" ? "application/json" : "application/x-www-form-urlencoded", "cf-connecting-ip": "198.51.100.77" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(counter.pulled).toBeLessThanOrEqual(65_536 + 65_536);
  });

  it("refuses a declared oversize body before reading any of it, and a body of the wrong content type (415)", async () => {
    const { stream, counter } = countingBody(1_048_576);
    const declared = await facadeFetch("/oauth/token", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "content-length": String(1_048_576) }, body: stream, duplex: "half" } as RequestInit);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: "invalid_request" });
    expect(counter.pulled).toBeLessThanOrEqual(65_536); // the one chunk the runtime buffers when the request is made, none read by the facade
    const wrongType = await facadeFetch("/oauth/token", { method: "POST", headers: { "content-type": "text/plain" }, body: "grant_type=authorization_code" });
    expect(wrongType.status).toBe(415);
    expect(await wrongType.json()).toMatchObject({ error: "invalid_request" });
  });

  it("parses a token request once: the library still gets every field (an unknown code is invalid_grant, not a parse error)", async () => {
    const res = await facadeFetch("/oauth/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", client_id: "nobody", code: "x:y:z", code_verifier: "v".repeat(43), redirect_uri: REDIRECT }),
    });
    expect([400, 401]).toContain(res.status);
    expect((await res.json()) as { error: string }).toMatchObject({ error: expect.stringMatching(/invalid_grant|invalid_client/) });
  });

  it("budgets anonymous sign-in starts per address: 200 GET /authorize from one IP store at most 120 pending requests, then 429 with Retry-After", async () => {
    const { client_id } = (await (await register({ client_name: "budget" }, "198.51.100.200")).json()) as { client_id: string };
    const url = new URL("/authorize", ISSUER);
    for (const [k, v] of Object.entries({ client_id, response_type: "code", redirect_uri: REDIRECT, resource: NOTES, scope: "tools.read", code_challenge: await challenge(), code_challenge_method: "S256", state: "s" })) url.searchParams.set(k, v);
    const keys = async () => (await (env as unknown as { OAUTH_KV: KVNamespace }).OAUTH_KV.list()).keys.length;
    const before = await keys();
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) statuses.push((await facadeFetch(url.pathname + url.search, { headers: { "cf-connecting-ip": "203.0.113.200" } })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(120);
    expect(statuses.slice(120).every((s) => s === 429)).toBe(true);
    expect((await keys()) - before).toBeLessThanOrEqual(120);
    const limited = await facadeFetch(url.pathname + url.search, { headers: { "cf-connecting-ip": "203.0.113.200" } });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await facadeFetch(url.pathname + url.search, { headers: { "cf-connecting-ip": "203.0.113.201" } })).status).toBe(200);
  });

  it("accepts the consent form only from its own page: another Origin, or none, is refused 403 and the consent still stands (issue 23 finding 10)", async () => {
    const { client_id } = (await (await register({ client_name: "csrf" }, "198.51.100.201")).json()) as { client_id: string };
    const url = new URL("/authorize", ISSUER);
    for (const [k, v] of Object.entries({ client_id, response_type: "code", redirect_uri: REDIRECT, resource: NOTES, scope: "tools.read", code_challenge: await challenge(), code_challenge_method: "S256", state: "s" })) url.searchParams.set(k, v);
    const page = await facadeFetch(url.pathname + url.search);
    expect(page.headers.get("referrer-policy")).toBe("same-origin"); // so the browser sends the form's Origin
    const cookie = page.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const handle = /name="handle" value="([^"]+)"/.exec(await page.text())![1]!;
    const answer = (origin?: string) =>
      facadeFetch("/authorize", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie, ...(origin === undefined ? {} : { origin }) },
        body: new URLSearchParams({ handle, decision: "approve", scope: "tools.read" }),
      });
    expect((await answer("https://evil.example")).status).toBe(403);
    expect((await answer()).status).toBe(403);
    // From its own page the approval goes on — to Auth0's discovery, which this test cannot reach (502).
    const approved = await answer(ISSUER);
    expect(approved.status).toBe(502);
  });

  it("sends a denial back to the client as access_denied, never on to Auth0; a used or forged handle gets a page, not a 500", async () => {
    const { client_id } = (await (await register({ client_name: "denied" }, "198.51.100.204")).json()) as { client_id: string };
    const url = new URL("/authorize", ISSUER);
    for (const [k, v] of Object.entries({ client_id, response_type: "code", redirect_uri: REDIRECT, resource: NOTES, scope: "tools.read", code_challenge: await challenge(), code_challenge_method: "S256", state: "s" })) url.searchParams.set(k, v);
    const page = await facadeFetch(url.pathname + url.search);
    const cookie = page.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const handle = /name="handle" value="([^"]+)"/.exec(await page.text())![1]!;
    const answer = (fields: Record<string, string>) =>
      facadeFetch("/authorize", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: ISSUER }, body: new URLSearchParams(fields) });
    const denied = await answer({ handle, decision: "deny" });
    expect(denied.status).toBe(302);
    const back = new URL(denied.headers.get("location")!);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get("error")).toBe("access_denied");
    const again = await answer({ handle, decision: "approve", scope: "tools.read" });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("already used");
    expect((await answer({ handle: "forged", decision: "approve" })).status).toBe(400);
  });

  it("requires PKCE of a confidential client too (MCP authorization: every client), not only of public ones as the library does", async () => {
    const reg = await register({ client_name: "confidential", token_endpoint_auth_method: "client_secret_post" }, "198.51.100.202");
    expect(reg.status).toBe(201);
    const { client_id, client_secret } = (await reg.json()) as { client_id: string; client_secret?: string };
    expect(client_secret).toEqual(expect.any(String)); // it is confidential
    const url = new URL("/authorize", ISSUER);
    for (const [k, v] of Object.entries({ client_id, response_type: "code", redirect_uri: REDIRECT, resource: NOTES, scope: "tools.read", state: "s" })) url.searchParams.set(k, v);
    const res = await facadeFetch(url.pathname + url.search);
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get("location")!);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get("error")).toBe("invalid_request");
    expect(back.searchParams.get("error_description")).toMatch(/PKCE/);
  });

  it("refuses code_challenge_method=plain: S256 only (MCP authorization; RFC 7636 §4.2 leaves plain to clients that cannot hash)", async () => {
    const reg = await register({ client_name: "plain pkce" }, "198.51.100.203");
    const { client_id } = (await reg.json()) as { client_id: string };
    const url = new URL("/authorize", ISSUER);
    for (const [k, v] of Object.entries({ client_id, response_type: "code", redirect_uri: REDIRECT, resource: NOTES, scope: "tools.read", state: "s", code_challenge: "v".repeat(43), code_challenge_method: "plain" })) url.searchParams.set(k, v);
    const res = await facadeFetch(url.pathname + url.search);
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get("location")!);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get("error")).toBe("invalid_request");
  });

  // (A loopback redirect URI on another port is allowed: RFC 8252 §7.3, for native apps.)
  it.each([
    ["a path that extends the registered one", `${REDIRECT}/more`, "198.51.100.211"],
    ["a longer path on the same prefix", `${REDIRECT}-evil`, "198.51.100.212"],
    ["the registered one with a query", `${REDIRECT}?next=https://evil.example`, "198.51.100.213"],
  ])("refuses a redirect_uri that is %s (exact match, RFC 9700 §4.1.3), on a page and without redirecting", async (_case, redirectUri, ip) => {
    const registered = await register({ client_name: "exact", redirect_uris: [REDIRECT] }, ip);
    expect(registered.status).toBe(201);
    const { client_id } = (await registered.json()) as { client_id: string };
    const url = new URL("/authorize", ISSUER);
    for (const [k, v] of Object.entries({ client_id, response_type: "code", redirect_uri: redirectUri, resource: NOTES, scope: "tools.read", state: "s", code_challenge: await challenge(), code_challenge_method: "S256" })) url.searchParams.set(k, v);
    const res = await facadeFetch(url.pathname + url.search);
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
  });
});
