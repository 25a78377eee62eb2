/**
 * What the server checks in a token the authorization server issued by RFC 8693 exchange before any
 * tool may use it (issue 25 §2, §7): signature and issuer, the declared API as the only audience,
 * the caller as `sub`, this server's exchanging client as actor (RFC 8693 §4.1), and no scope beyond
 * those declared. The authorization server here is scripted (an injected fetch) so it can misbehave;
 * the tokens are real RS256 JWTs verified against the real loopback JWKS.
 */
import { importJWK, SignJWT, type JWK } from "jose";
import { describe, expect, inject, it } from "vitest";
import { isDownstreamError } from "../src/base/downstream-errors.ts";
import { exchangeFirstParty, type ExchangeContext } from "../src/apis/token-exchange.ts";

const ORDERS = { kind: "first-party" as const, audience: "https://orders.example.test/", scopes: ["orders.read"], baseUrl: "https://orders.example.test" };
const CLIENT = { id: "concierge-exchange", secret: "exchange-secret-0123456789abcdef" };
let issuers = 0;

async function sign(issuer: string, claims: { aud?: string; sub?: string; scope?: string; act?: unknown }): Promise<string> {
  const jwk = JSON.parse(inject("privateJwk")) as JWK & { kid: string };
  const { aud = ORDERS.audience, sub = "auth0|alice", scope = "orders.read", act = { sub: CLIENT.id } } = claims;
  return new SignJWT({ scope, permissions: scope.split(" "), azp: CLIENT.id, ...(act === null ? {} : { act }) })
    .setProtectedHeader({ alg: "RS256", kid: jwk.kid, typ: "at+jwt" })
    .setIssuer(issuer)
    .setSubject(sub)
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime("10m")
    .sign(await importJWK(jwk, "RS256"));
}

/** An authorization server that answers discovery and then issues `issued` for any exchange; it records what it was sent. */
function scriptedServer(issued: (issuer: string) => Promise<string>) {
  const issuer = `https://as-${++issuers}.example.test/`;
  const sent: Array<{ url: string; body: string }> = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    sent.push({ url, body: typeof init?.body === "string" ? init.body : String(init?.body ?? "") });
    if (url.endsWith("/.well-known/openid-configuration")) return Response.json({ issuer, authorization_endpoint: `${issuer}authorize`, token_endpoint: `${issuer}oauth/token` });
    return Response.json({ access_token: await issued(issuer), token_type: "Bearer", expires_in: 600, issued_token_type: "urn:ietf:params:oauth:token-type:access_token" });
  }) as typeof fetch;
  const ctx: ExchangeContext = { issuer, jwksUri: inject("jwksUri"), client: CLIENT, subjectToken: "the-callers-own-token", subject: "auth0|alice", fetchImpl };
  return { ctx, sent };
}

async function refusal(issued: (issuer: string) => Promise<string>): Promise<string> {
  const { ctx } = scriptedServer(issued);
  const error = await exchangeFirstParty(ctx, "orders", ORDERS).then(() => undefined, (e: unknown) => e);
  expect(isDownstreamError(error) && error.reason).toBe("exchange_refused");
  return (error as Error).message;
}

describe("an exchanged token is checked before a tool may use it", () => {
  it("accepts a token for the declared API, the caller as sub, this server in act and the declared scope", async () => {
    const { ctx, sent } = scriptedServer((issuer) => sign(issuer, {}));
    const token = await exchangeFirstParty(ctx, "orders", ORDERS);
    expect(token.scopes).toEqual(["orders.read"]);
    // RFC 8693 §2.1: the request names the grant, the subject token and its type, and the audience.
    const body = new URLSearchParams(sent.find((s) => s.url.endsWith("/oauth/token"))!.body);
    expect(Object.fromEntries(body)).toMatchObject({ grant_type: "urn:ietf:params:oauth:grant-type:token-exchange", subject_token_type: "urn:ietf:params:oauth:token-type:access_token", audience: ORDERS.audience, scope: "orders.read", client_id: CLIENT.id });
  });

  it("sends the caller's token to the token endpoint and nowhere else (not even discovery)", async () => {
    const { ctx, sent } = scriptedServer((issuer) => sign(issuer, {}));
    await exchangeFirstParty(ctx, "orders", ORDERS);
    const carrying = sent.filter((s) => s.body.includes("the-callers-own-token") || s.url.includes("the-callers-own-token"));
    expect(carrying.map((s) => s.url)).toEqual([`${ctx.issuer}oauth/token`]);
  });

  it("refuses a token whose scopes are wider than those declared (scopes never widen)", async () => {
    expect(await refusal((issuer) => sign(issuer, { scope: "orders.read orders.write" }))).toContain("scopes not asked for (orders.write)");
  });

  it("refuses a token for another audience than the declared API", async () => {
    expect(await refusal((issuer) => sign(issuer, { aud: "https://billing.example.test/" }))).toContain("did not verify");
  });

  it("refuses a token for another user", async () => {
    expect(await refusal((issuer) => sign(issuer, { sub: "auth0|mallory" }))).toContain("for another user");
  });

  it("refuses a token naming another actor than this server (RFC 8693 §4.1 act)", async () => {
    expect(await refusal((issuer) => sign(issuer, { act: { sub: "someone-else" } }))).toContain("another actor");
  });

  it("refuses a token from another issuer than the one the server trusts", async () => {
    expect(await refusal(() => sign("https://evil.example.test/", {}))).toContain("did not verify");
  });

  it("never puts the issued or the caller's token in the refusal", async () => {
    let issued = "";
    const message = await refusal(async (issuer) => (issued = await sign(issuer, { scope: "orders.read admin" })));
    expect(message).not.toContain(issued);
    expect(message).not.toContain("the-callers-own-token");
  });
});
