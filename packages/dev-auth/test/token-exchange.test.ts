/**
 * The stand-in's token exchanges (issue 25 §4), with Auth0's checks: RFC 8693 on-behalf-of for a
 * first-party API (audience allow-list per exchanging client, the subject token for the client's
 * own API, `act`), and Token Vault for a connected account — connected through the My Account
 * API's Connected Accounts flow against a third-party provider stand-in.
 */
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCESS_TOKEN_TYPE, FEDERATED_TOKEN_TYPE, loadOrCreateSigningKey, mintAccessToken, myAccountAudience, startDevAuthServer, startThirdPartyProvider, TOKEN_EXCHANGE_GRANT, TOKEN_VAULT_GRANT, type DevAuthServer, type ThirdPartyProvider } from "../src/index.ts";

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

const SERVER_API = "http://localhost:8795/mcp";
const ORDERS_API = "http://localhost:8796/";
const OTHER_API = "http://localhost:8797/mcp";
const CLIENT = { clientId: "concierge-exchange", clientSecret: "concierge-exchange-secret-0123456789" };
const APP_REDIRECT = "http://localhost:8795/connect/complete";
let auth: DevAuthServer;
let provider: ThirdPartyProvider;
let issuer: string;
let key: Awaited<ReturnType<typeof loadOrCreateSigningKey>>;

const userToken = (sub: string, aud = SERVER_API, scopes = ["tools.read"]) => mintAccessToken(key, { issuer, audience: aud, subject: sub, clientId: "mcp-client", scopes });

async function exchange(body: Record<string, string>, client = CLIENT) {
  const res = await fetch(`${issuer}token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ client_id: client.clientId, client_secret: client.clientSecret, ...body }) });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}
const obo = async (subject: string, extra: Record<string, string> = {}, client = CLIENT) => exchange({ grant_type: TOKEN_EXCHANGE_GRANT, subject_token: subject, subject_token_type: ACCESS_TOKEN_TYPE, audience: ORDERS_API, scope: "orders.read", ...extra }, client);
const vault = async (subject: string, connection = "github") => exchange({ grant_type: TOKEN_VAULT_GRANT, subject_token: subject, subject_token_type: ACCESS_TOKEN_TYPE, requested_token_type: FEDERATED_TOKEN_TYPE, connection });

beforeAll(async () => {
  const port = await freePort();
  issuer = `http://localhost:${port}/`;
  key = await loadOrCreateSigningKey(join(mkdtempSync(join(tmpdir(), "exchange-")), "keys.json"));
  provider = await startThirdPartyProvider({ port: await freePort(), clientId: "auth0-github", clientSecret: "auth0-github-secret", redirectUris: [`${issuer}connected-accounts/callback`] });
  auth = await startDevAuthServer({
    issuer,
    port,
    signingKey: key,
    user: { sub: "dev|alice", name: "Alice", email: "alice@example.dev" },
    resourceServers: [
      { slug: "concierge", name: "Concierge", identifier: SERVER_API, scopes: ["tools.read"] },
      { slug: "orders", name: "Orders API", identifier: ORDERS_API, scopes: ["orders.read", "orders.write"] },
      { slug: "other", name: "Other", identifier: OTHER_API, scopes: ["tools.read"] },
    ],
    exchangeClients: [{ ...CLIENT, api: SERVER_API, audiences: [ORDERS_API], connections: ["github"] }],
    connections: [{ connection: "github", authorizationEndpoint: provider.authorizationEndpoint, tokenEndpoint: provider.tokenEndpoint, clientId: "auth0-github", clientSecret: "auth0-github-secret", scopes: ["read:user", "repo"] }],
  });
});
afterAll(async () => {
  await auth?.close();
  await provider?.close();
});

describe("on-behalf-of token exchange (RFC 8693) at the stand-in", () => {
  it("issues a token for the first-party API: the user as sub, the API as audience, the exchanging client in act", async () => {
    const { status, body } = await obo(await userToken("dev|alice"));
    expect(status).toBe(200);
    expect(body).toMatchObject({ issued_token_type: ACCESS_TOKEN_TYPE, token_type: "Bearer", scope: "orders.read" });
    expect(decodeJwt(body.access_token!)).toMatchObject({ iss: issuer, sub: "dev|alice", aud: ORDERS_API, azp: CLIENT.clientId, scope: "orders.read", act: { sub: CLIENT.clientId } });
  });

  it("never widens scopes: only the requested ones the API defines", async () => {
    const { body } = await obo(await userToken("dev|alice"), { scope: "orders.read admin.everything" });
    expect(body.scope).toBe("orders.read");
  });

  it("refuses an audience the client may not exchange for (RFC 8693 §2.2.2: access_denied)", async () => {
    const { status, body } = await obo(await userToken("dev|alice"), { audience: OTHER_API });
    expect(status).toBe(403);
    expect(body.error).toBe("access_denied");
  });

  it("refuses a subject token for another API than the client's own", async () => {
    const { status, body } = await obo(await userToken("dev|alice", OTHER_API));
    expect(status).toBe(400);
    expect(body.error).toBe("invalid_grant");
  });

  it("refuses a client with a wrong secret", async () => {
    expect((await obo(await userToken("dev|alice"), {}, { ...CLIENT, clientSecret: "wrong-secret-wrong-secret" })).status).toBe(401);
  });
});

describe("Token Vault and the Connected Accounts flow at the stand-in", () => {
  async function myAccountToken(sub: string) {
    return mintAccessToken(key, { issuer, audience: myAccountAudience(issuer), subject: sub, clientId: "connect-app", scopes: ["create:me:connected_accounts", "read:me:connected_accounts"] });
  }

  /** The app's side of the flow: connect request, the browser through the provider's consent, complete. */
  async function connect(sub: string, pkce: { challenge?: string; verifier?: string } = {}) {
    const bearer = { authorization: `Bearer ${await myAccountToken(sub)}`, "content-type": "application/json" };
    const challenge = pkce.challenge === undefined ? {} : { code_challenge: pkce.challenge, code_challenge_method: "S256" };
    const started = await fetch(`${issuer}me/v1/connected-accounts/connect`, { method: "POST", headers: bearer, body: JSON.stringify({ connection: "github", redirect_uri: APP_REDIRECT, state: "app-state", ...challenge }) });
    expect(started.status).toBe(201);
    const { auth_session, connect_uri, connect_params } = (await started.json()) as { auth_session: string; connect_uri: string; connect_params: { ticket: string } };
    const toProvider = await fetch(`${connect_uri}?ticket=${connect_params.ticket}`, { redirect: "manual" });
    const consent = new URL(toProvider.headers.get("location")!);
    const page = await (await fetch(consent)).text();
    const fields = Object.fromEntries([...page.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)))]));
    const approved = await fetch(`${provider.origin}/login/oauth/authorize`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) });
    const back = await fetch(approved.headers.get("location")!, { redirect: "manual" });
    const atApp = new URL(back.headers.get("location")!);
    expect(`${atApp.origin}${atApp.pathname}`).toBe(APP_REDIRECT);
    expect(atApp.searchParams.get("state")).toBe("app-state");
    const completed = await fetch(`${issuer}me/v1/connected-accounts/complete`, { method: "POST", headers: bearer, body: JSON.stringify({ auth_session, connect_code: atApp.searchParams.get("connect_code"), redirect_uri: APP_REDIRECT, ...(pkce.verifier === undefined ? {} : { code_verifier: pkce.verifier }) }) });
    return completed;
  }

  it("answers 401 while the user has not connected the account, then the provider's token once connected", async () => {
    const subject = await userToken("dev|bob");
    const before = await vault(subject);
    expect(before.status).toBe(401);
    expect(before.body.error).toBe("federated_connection_refresh_token_not_found");
    expect((await connect("dev|bob")).status).toBe(201);
    const after = await vault(subject);
    expect(after.status).toBe(200);
    expect(after.body.issued_token_type).toBe(FEDERATED_TOKEN_TYPE);
    const user = await fetch(`${provider.origin}/user`, { headers: { authorization: `Bearer ${after.body.access_token}` } });
    expect(await user.json()).toMatchObject({ login: "dev-bob" });
  });

  it("completes a connect request made with PKCE only with its verifier (RFC 7636 §4.6)", async () => {
    const verifier = "v".repeat(43);
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const wrong = await connect("dev|frank", { challenge, verifier: "w".repeat(43) });
    expect(wrong.status).toBe(400);
    expect(auth.connectedAccounts.has("dev|frank", "github")).toBe(false);
    expect((await connect("dev|frank", { challenge })).status).toBe(400);
    expect((await connect("dev|frank", { challenge, verifier })).status).toBe(201);
    expect(auth.connectedAccounts.has("dev|frank", "github")).toBe(true);
  });

  it("keeps one user's connected account from another user", async () => {
    await connect("dev|carol");
    expect((await vault(await userToken("dev|dave"))).status).toBe(401);
  });

  it("refuses to complete a connect request for another user than the one who started it", async () => {
    const bearer = { authorization: `Bearer ${await myAccountToken("dev|erin")}`, "content-type": "application/json" };
    const started = (await (await fetch(`${issuer}me/v1/connected-accounts/connect`, { method: "POST", headers: bearer, body: JSON.stringify({ connection: "github", redirect_uri: APP_REDIRECT, state: "s" }) })).json()) as { auth_session: string };
    const other = { authorization: `Bearer ${await myAccountToken("dev|mallory")}`, "content-type": "application/json" };
    const res = await fetch(`${issuer}me/v1/connected-accounts/complete`, { method: "POST", headers: other, body: JSON.stringify({ auth_session: started.auth_session, connect_code: "x", redirect_uri: APP_REDIRECT }) });
    expect(res.status).toBe(400);
    expect(auth.connectedAccounts.has("dev|mallory", "github")).toBe(false);
  });
});
