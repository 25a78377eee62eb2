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
import { exchangeFirstParty, exchangeThirdParty, type ExchangeContext } from "../src/apis/token-exchange.ts";

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

/** An authorization server that answers discovery and then each exchange with `answer`; it records what it was sent. */
function scriptedAs(answer: (issuer: string) => Promise<Response>) {
  const issuer = `https://as-${++issuers}.example.test/`;
  const sent: Array<{ url: string; body: string }> = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    sent.push({ url, body: typeof init?.body === "string" ? init.body : String(init?.body ?? "") });
    if (url.endsWith("/.well-known/openid-configuration")) return Response.json({ issuer, authorization_endpoint: `${issuer}authorize`, token_endpoint: `${issuer}oauth/token` });
    return answer(issuer);
  }) as typeof fetch;
  const ctx: ExchangeContext = { issuer, jwksUri: inject("jwksUri"), client: CLIENT, subjectToken: "the-callers-own-token", subject: "auth0|alice", fetchImpl };
  return { ctx, sent };
}

/** The same, issuing `issued` for any exchange. */
const scriptedServer = (issued: (issuer: string) => Promise<string>) =>
  scriptedAs(async (issuer) => Response.json({ access_token: await issued(issuer), token_type: "Bearer", expires_in: 600, issued_token_type: "urn:ietf:params:oauth:token-type:access_token" }));

/** What an exchange failed with (a `DownstreamError`), or undefined when it did not. */
const failureOf = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => (isDownstreamError(e) ? e : Promise.reject(e)));

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

describe("an exchange the authorization server does not grant", () => {
  it("says which OAuth error it answered, sanitized, and never its description", async () => {
    const { ctx } = scriptedAs(async () => Response.json({ error: "access_denied<script>", error_description: "secret detail" }, { status: 403 }));
    const error = await failureOf(exchangeFirstParty(ctx, "orders", ORDERS));
    expect(error?.reason).toBe("exchange_refused");
    expect(error?.message).toContain("(access_deniedscript)");
    expect(error?.message).not.toContain("secret detail");
  });

  it("tells a refused exchanging client (401 invalid_client) from a refused exchange", async () => {
    const { ctx } = scriptedAs(async () => Response.json({ error: "invalid_client" }, { status: 401 }));
    const error = await failureOf(exchangeFirstParty(ctx, "orders", ORDERS));
    expect(error?.reason).toBe("misconfigured");
    expect(error?.message).toContain("MCP_EXCHANGE_CLIENT_ID");
    expect(error?.message).not.toContain(CLIENT.secret);
  });

  it("answers unavailable for a 5xx and for an unreachable server", async () => {
    expect((await failureOf(exchangeFirstParty(scriptedAs(async () => new Response("oops", { status: 503 })).ctx, "orders", ORDERS)))?.reason).toBe("authorization_server_unavailable");
    expect((await failureOf(exchangeFirstParty(scriptedAs(async () => Promise.reject(new TypeError("connection refused"))).ctx, "orders", ORDERS)))?.reason).toBe("authorization_server_unavailable");
  });

  it("honours a 429's Retry-After: says when, and sends nothing more to that server before then (RFC 6585 §4)", async () => {
    const { ctx, sent } = scriptedAs(async () => new Response(JSON.stringify({ error: "too_many_requests" }), { status: 429, headers: { "retry-after": "30" } }));
    const first = await failureOf(exchangeFirstParty(ctx, "orders", ORDERS));
    expect(first).toMatchObject({ reason: "rate_limited", retryAfterSeconds: 30 });
    const asked = sent.length;
    const second = await failureOf(exchangeFirstParty(ctx, "orders", ORDERS));
    expect(second?.reason).toBe("rate_limited");
    expect(second?.retryAfterSeconds).toBeGreaterThan(28);
    expect(second?.retryAfterSeconds).toBeLessThanOrEqual(30);
    expect(sent.length).toBe(asked);
  });

  it("bounds a broken or huge Retry-After to between 1 and 60 s", async () => {
    for (const [header, seconds] of [["soon", 1], ["86400", 60], ["0", 1]] as const) {
      const { ctx } = scriptedAs(async () => new Response("{}", { status: 429, headers: { "retry-after": header } }));
      expect((await failureOf(exchangeFirstParty(ctx, "orders", ORDERS)))?.retryAfterSeconds).toBe(seconds);
    }
  });
});

describe("a Token Vault exchange (third-party)", () => {
  const GITHUB = { kind: "third-party" as const, connection: "github", scopes: ["read:user"], baseUrl: "https://api.github.com" };
  const connectUrl = async () => "https://concierge.example.test/connect/github?ticket=t";

  it("asks for the connection's token with Auth0's grant and token types", async () => {
    const { ctx, sent } = scriptedAs(async () => Response.json({ access_token: "gho_provider", expires_in: 3600, scope: "read:user" }));
    const token = await exchangeThirdParty(ctx, "github", GITHUB, connectUrl);
    expect(token).toMatchObject({ accessToken: "gho_provider", scopes: ["read:user"] });
    expect(token.expiresAt).toBeGreaterThan(Date.now() + 3_500_000);
    const body = Object.fromEntries(new URLSearchParams(sent.at(-1)!.body));
    expect(body).toMatchObject({ grant_type: "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token", requested_token_type: "http://auth0.com/oauth/token-type/federated-connection-access-token", connection: "github", subject_token_type: "urn:ietf:params:oauth:token-type:access_token" });
  });

  it("takes the declared scopes when the answer names none", async () => {
    const { ctx } = scriptedAs(async () => Response.json({ access_token: "gho_x" }));
    expect((await exchangeThirdParty(ctx, "github", GITHUB, connectUrl)).scopes).toEqual(["read:user"]);
  });

  it("turns a 401 (no connected account) into not_connected with the link to connect", async () => {
    const { ctx } = scriptedAs(async () => Response.json({ error: "federated_connection_refresh_token_not_found" }, { status: 401 }));
    const error = await failureOf(exchangeThirdParty(ctx, "github", GITHUB, connectUrl));
    expect(error).toMatchObject({ reason: "not_connected", connectUrl: await connectUrl() });
  });

  it("refuses any other failure as exchange_refused, naming the connection", async () => {
    const { ctx } = scriptedAs(async () => Response.json({ error: "invalid_request" }, { status: 400 }));
    const error = await failureOf(exchangeThirdParty(ctx, "github", GITHUB, connectUrl));
    expect(error?.reason).toBe("exchange_refused");
    expect(error?.message).toContain("github");
  });
});
