import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { serverFor, type Env } from "../src/authorization-server.ts";
import { FACADE_DEFAULTS, readFacadeConfig } from "../src/config.ts";

/**
 * Refresh-token rotation at the facade (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2): a refresh token is
 * good for one use; presenting a used one again means it leaked, and the whole grant (family) is
 * revoked — but a client retrying after a lost response, within the grace, is not punished. Grants
 * are made here the way the facade's /callback makes them (the library's completeAuthorization,
 * with the facade's own configuration); everything after is the real token endpoint.
 */
const ISSUER = "https://auth.example.test";
const NOTES = "https://notes-mcp.example.test/mcp";
const REDIRECT = "http://127.0.0.1:33418/callback";
const VERIFIER = "v".repeat(43);

const post = (path: string, form: Record<string, string>, ip = "198.51.100.50") =>
  exports.default.fetch(new Request(new URL(path, ISSUER), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": ip }, body: new URLSearchParams(form) }));

async function challenge(): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(VERIFIER));
  return btoa(String.fromCharCode(...new Uint8Array(digest))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A signed-in grant, as the facade's /callback completes one: its first access and refresh tokens. */
async function signedIn(): Promise<{ clientId: string; refresh_token: string; access_token: string }> {
  const registered = await exports.default.fetch(new Request(new URL("/oauth/register", ISSUER), {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": `198.51.100.${Math.floor(Math.random() * 200)}` },
    body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"] }),
  }));
  const { client_id: clientId } = (await registered.json()) as { client_id: string };
  const oauth = serverFor(readFacadeConfig(env)).getOAuthApi(env as unknown as Env);
  const { redirectTo } = await oauth.completeAuthorization({
    request: { responseType: "code", clientId, redirectUri: REDIRECT, scope: ["tools.read", "offline_access"], state: "s", codeChallenge: await challenge(), codeChallengeMethod: "S256", resource: NOTES },
    userId: "ZGV2fGFsaWNl",
    metadata: {},
    scope: ["tools.read", "offline_access"],
    props: { sub: "dev|alice" },
  });
  const code = new URL(redirectTo).searchParams.get("code")!;
  const res = await post("/oauth/token", { grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: clientId, code_verifier: VERIFIER, resource: NOTES });
  expect(res.status).toBe(200);
  return { clientId, ...((await res.json()) as { refresh_token: string; access_token: string }) };
}

async function refresh(clientId: string, refreshToken: string) {
  const res = await post("/oauth/token", { grant_type: "refresh_token", refresh_token: refreshToken, client_id: clientId });
  return { status: res.status, body: (await res.json()) as { access_token?: string; refresh_token?: string; error?: string } };
}

const active = (token: string) => exports.default.validateToken(NOTES, token).then((r) => r !== null);

afterEach(() => vi.useRealTimers());

describe("refresh tokens at the facade: one use each, reuse revokes the family", () => {
  it("rotates: each refresh gives a new refresh token and a working access token", async () => {
    const first = await signedIn();
    const second = await refresh(first.clientId, first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect(await active(second.body.access_token!)).toBe(true);
  });

  it("revokes the family when the once-rotated (previous) refresh token comes back after the grace — the library alone would accept it", async () => {
    const first = await signedIn();
    const second = await refresh(first.clientId, first.refresh_token);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + (FACADE_DEFAULTS.refreshReuseGraceSeconds + 1) * 1000 });
    const replayed = await refresh(first.clientId, first.refresh_token);
    expect(replayed.status).toBe(400);
    expect(replayed.body).toMatchObject({ error: "invalid_grant" });
    expect(replayed.body.access_token).toBeUndefined();
    // The whole family is gone: the rightful client's current refresh token and its access token too.
    expect((await refresh(first.clientId, second.body.refresh_token!)).status).toBe(400);
    expect(await active(second.body.access_token!)).toBe(false);
  });

  it("revokes the family when an older refresh token (rotated twice) comes back", async () => {
    const first = await signedIn();
    const second = await refresh(first.clientId, first.refresh_token);
    const third = await refresh(first.clientId, second.body.refresh_token!);
    expect(third.status).toBe(200);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + (FACADE_DEFAULTS.refreshReuseGraceSeconds + 1) * 1000 });
    expect((await refresh(first.clientId, first.refresh_token)).status).toBe(400);
    expect((await refresh(first.clientId, third.body.refresh_token!)).status).toBe(400);
    expect(await active(third.body.access_token!)).toBe(false);
  });

  it("honours a retry within the grace (a lost response): the client keeps its grant", async () => {
    const first = await signedIn();
    const lost = await refresh(first.clientId, first.refresh_token); // its answer never reached the client
    expect(lost.status).toBe(200);
    const retried = await refresh(first.clientId, first.refresh_token);
    expect(retried.status).toBe(200);
    expect((await refresh(first.clientId, retried.body.refresh_token!)).status).toBe(200);
  });
});
