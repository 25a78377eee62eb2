/**
 * The operator console's gate (issue 26 §4): signed in at the same authorization server, with
 * the operator scope — nobody else gets in: not the page, not its API, not a chart's data.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CONSOLE_AUDIENCE, CONSOLE_CLIENT_ID, CONSOLE_ORIGIN } from "./console-test-env.ts";
import { cookiesOf, mintToken, signIn, visit } from "./helpers.ts";

const SESSION = "__Host-edge-console";
const API_ROUTES = ["/api/overview", "/api/metrics", "/api/calls"];

describe("signing in to the operator console", () => {
  it("sends a visitor without a session to sign in", async () => {
    const res = await visit("/");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login");
  });

  it("starts the authorization code flow with PKCE S256, a state, the console's audience, and the state sealed in a __Host- cookie", async () => {
    const res = await visit("/login");
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get("location")!);
    expect(`${to.origin}/`).toBe(env.CONSOLE_ISSUER);
    expect(Object.fromEntries(to.searchParams)).toMatchObject({ response_type: "code", client_id: CONSOLE_CLIENT_ID, redirect_uri: `${CONSOLE_ORIGIN}/callback`, scope: "openid fleet.read", code_challenge_method: "S256", audience: CONSOLE_AUDIENCE, resource: CONSOLE_AUDIENCE });
    expect(to.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(to.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const line = res.headers.getSetCookie().join("\n");
    expect(line).toMatch(/^__Host-edge-console-sign-in=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600; Secure$/);
    // The state and verifier are sealed: neither is readable in the cookie.
    expect(line).not.toContain(to.searchParams.get("state")!);
  });

  it("signs an operator in at the real authorization server; the page and every API route then answer", async () => {
    const { callback, session } = await signIn("dev|alice");
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe("/");
    expect(session).toBeDefined();
    const cookie = `${SESSION}=${session}`;
    const page = await visit("/", { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Signed in as <strong>dev|alice</strong>");
    for (const route of API_ROUTES) expect((await visit(route, { headers: { cookie } })).status, route).toBe(200);
    // The session never carries the token readably.
    const token = JSON.stringify(callback.headers.getSetCookie());
    expect(token).not.toMatch(/eyJ[A-Za-z0-9_-]+\./);
  });

  it("gives a signed-in user without the operator scope no session, and says why", async () => {
    const { callback, session } = await signIn("dev|bob");
    expect(callback.status).toBe(403);
    expect(session).toBeUndefined();
    expect(await callback.text()).toContain("dev|bob, who does not hold the operator scope (fleet.read)");
  });

  it("refuses a callback whose state is not the one sealed at /login", async () => {
    const login = await visit("/login");
    const cookie = Object.entries(cookiesOf(login)).map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await visit(`/callback?code=abc&state=${"x".repeat(43)}`, { headers: { cookie } });
    expect(res.status).toBe(400);
    expect(cookiesOf(res)[SESSION]).toBeUndefined();
  });

  it("refuses a callback whose iss names another authorization server (RFC 9207)", async () => {
    const login = await visit("/login");
    const state = new URL(login.headers.get("location")!).searchParams.get("state")!;
    const cookie = Object.entries(cookiesOf(login)).map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await visit(`/callback?code=abc&state=${state}&iss=${encodeURIComponent("https://evil.example/")}`, { headers: { cookie } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("RFC 9207");
  });

  it("refuses an altered session cookie: the visitor is sent to sign in again", async () => {
    const { session } = await signIn("dev|alice");
    const altered = `${session!.slice(0, -4)}${session!.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`;
    const res = await visit("/", { headers: { cookie: `${SESSION}=${altered}` } });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login");
  });

  it("serves the page unframeable, with a script-src 'self' policy and no caching", async () => {
    const { session } = await signIn("dev|alice");
    const page = await visit("/", { headers: { cookie: `${SESSION}=${session}` } });
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("cache-control")).toBe("no-store");
  });

  it("signs out only from its own page (Origin checked) and clears the session", async () => {
    expect((await visit("/logout", { method: "POST", headers: { origin: "https://evil.example" } })).status).toBe(403);
    const res = await visit("/logout", { method: "POST", headers: { origin: CONSOLE_ORIGIN } });
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().join("\n")).toMatch(/^__Host-edge-console=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0; Secure$/m);
  });
});

describe("the console's API refuses anything but an operator's token for the console (RFC 6750)", () => {
  it.each(API_ROUTES)("answers %s without credentials 401 with a Bearer challenge", async (route) => {
    const res = await visit(route);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="edge-mcp-console"');
  });

  it.each(API_ROUTES)("answers %s with a token lacking fleet.read 403 insufficient_scope", async (route) => {
    const res = await visit(route, { headers: { authorization: `Bearer ${await mintToken({ scopes: ["tools.read"] })}` } });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="edge-mcp-console", error="insufficient_scope", scope="fleet.read"');
  });

  it("refuses an operator's token for another API (a server's audience) as invalid_token", async () => {
    const res = await visit("/api/overview", { headers: { authorization: `Bearer ${await mintToken({ aud: "https://notes-mcp.example.test/mcp" })}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("refuses an expired operator token", async () => {
    const res = await visit("/api/metrics", { headers: { authorization: `Bearer ${await mintToken({ expiresIn: -120 })}` } });
    expect(res.status).toBe(401);
  });

  it("answers an operator's bearer token (scripts) like a session", async () => {
    const res = await visit("/api/metrics?range=6h", { headers: { authorization: `Bearer ${await mintToken()}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ range: "6h", bucketMs: 300_000 });
  });
});
