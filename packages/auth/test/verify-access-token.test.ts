import { afterEach, describe, expect, it, vi } from "vitest";
import { createTokenVerifier, InvalidTokenError } from "../src/index.ts";
import { AUDIENCE, ISSUER, mintToken } from "./helpers/keys.ts";
import { rejectionOf, setup } from "./helpers/verifier.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("createTokenVerifier().verify", () => {
  it("returns subject, client id, scopes (scope ∪ permissions, OIDC protocol scopes left out: OIDC Core §11), expiry and claims for a valid Auth0 token", async () => {
    const { key, verifier } = await setup();
    const token = await mintToken({ key, claims: { scope: "openid offline_access tools.read", permissions: ["tools.read", "tools.write"] } });
    const ctx = await verifier.verify(token);
    expect(ctx.subject).toBe("auth0|alice");
    expect(ctx.clientId).toBe("client-abc");
    expect([...ctx.scopes].sort()).toEqual(["tools.read", "tools.write"]);
    expect(ctx.expiresAt).toBe(ctx.claims.exp);
    expect(ctx.claims.iss).toBe(ISSUER);
    expect(Object.isFrozen(ctx) && Object.isFrozen(ctx.claims) && Object.isFrozen(ctx.scopes)).toBe(true);
  });

  it("takes the client id from azp when client_id is absent (Auth0 access_token dialect)", async () => {
    const { key, verifier } = await setup();
    const ctx = await verifier.verify(await mintToken({ key, omit: ["client_id"], claims: { azp: "m2m-client" } }));
    expect(ctx.clientId).toBe("m2m-client");
  });

  it("takes the client id from client_id when azp is absent (RFC 9068 §2.2)", async () => {
    const { key, verifier } = await setup();
    const ctx = await verifier.verify(await mintToken({ key, omit: ["azp"], claims: { client_id: "rfc-client" } }));
    expect(ctx.clientId).toBe("rfc-client");
  });

  it("accepts a machine-to-machine token whose subject is <client>@clients and has only a scope string", async () => {
    const { key, verifier } = await setup();
    const token = await mintToken({ key, omit: ["permissions"], claims: { sub: "m2m@clients", azp: "m2m", client_id: "m2m", scope: "tools.read" } });
    const ctx = await verifier.verify(token);
    expect(ctx.subject).toBe("m2m@clients");
    expect(ctx.scopes).toEqual(["tools.read"]);
  });

  it("accepts a token that carries its grants only as Auth0 permissions (no scope claim)", async () => {
    const { key, verifier } = await setup();
    const ctx = await verifier.verify(await mintToken({ key, omit: ["scope"], claims: { permissions: ["tools.read"] } }));
    expect(ctx.scopes).toEqual(["tools.read"]);
  });

  it("refuses something that is not a string as malformed, never with a TypeError", async () => {
    const { verifier } = await setup();
    const error = await rejectionOf(verifier.verify(undefined as unknown as string));
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect((error as InvalidTokenError).reason).toBe("malformed");
  });

  it("accepts any one of several configured audiences, with and without a trailing slash, by exact match", async () => {
    const { key, verifier } = await setup({ audiences: [AUDIENCE, `${AUDIENCE}/`] });
    await expect(verifier.verify(await mintToken({ key, claims: { aud: `${AUDIENCE}/` } }))).resolves.toMatchObject({ subject: "auth0|alice" });
    await expect(verifier.verify(await mintToken({ key, claims: { aud: AUDIENCE } }))).resolves.toMatchObject({ subject: "auth0|alice" });
  });

  it("accepts a token that expired less than the clock tolerance ago and rejects one just past it (frozen clock)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-23T12:00:00Z"));
    const now = Math.floor(Date.now() / 1000);
    const { key, verifier } = await setup({ clockToleranceSeconds: 5 });
    await expect(verifier.verify(await mintToken({ key, claims: { iat: now - 100, exp: now - 4 } }))).resolves.toBeTruthy();
    const error = await rejectionOf(verifier.verify(await mintToken({ key, claims: { iat: now - 100, exp: now - 6 } })));
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect((error as InvalidTokenError).reason).toBe("expired");
  });

  it("fetches the JWKS from <issuer>.well-known/jwks.json by default", async () => {
    const { key, endpoint } = await setup();
    const seen: string[] = [];
    const verifier = createTokenVerifier({
      issuer: ISSUER,
      audiences: [AUDIENCE],
      store: null,
      fetch: (input, init) => {
        seen.push(String(input instanceof Request ? input.url : input));
        return endpoint.fetch(input, init);
      },
    });
    await verifier.verify(await mintToken({ key }));
    expect(seen).toEqual([`${ISSUER}.well-known/jwks.json`]);
    expect(verifier.jwksUri).toBe(`${ISSUER}.well-known/jwks.json`);
  });

  it("never puts the token into an error message", async () => {
    const { key, verifier } = await setup();
    const token = await mintToken({ key, claims: { aud: "https://other.example.test/mcp" } });
    const error = (await rejectionOf(verifier.verify(token))) as Error;
    const [, payload = "", signature = ""] = token.split(".");
    for (const text of [error.message, String(error), JSON.stringify(error)]) {
      expect(text).not.toContain(payload);
      expect(text).not.toContain(signature);
    }
  });
});

describe("createTokenVerifier options", () => {
  const base = { issuer: ISSUER, audiences: [AUDIENCE] };

  it.each([
    ["issuer", { ...base, issuer: "not a url" }],
    ["issuer", { ...base, issuer: "http://tenant.example.test/" }],
    ["audiences", { ...base, audiences: [] }],
    ["jwksUri", { ...base, jwksUri: "ftp://keys.example.test/jwks.json" }],
    ["algorithms.0", { ...base, algorithms: ["HS256"] }],
    ["algorithms.0", { ...base, algorithms: ["none"] }],
    ["clockToleranceSeconds", { ...base, clockToleranceSeconds: -1 }],
    ["jwksCooldownMs", { ...base, jwksCooldownMs: 1.5 }],
    ["store", { ...base, store: { read: 1 } }],
    ["fetch", { ...base, fetch: "fetch" }],
  ])("throws a TypeError naming %s when it is invalid", (name, options) => {
    expect(() => createTokenVerifier(options as never)).toThrow(new RegExp(`option "${name.replace(".", "\\.")}"`));
    expect(() => createTokenVerifier(options as never)).toThrow(TypeError);
  });

  it("allows an http issuer on localhost for the local development authorization server", () => {
    expect(createTokenVerifier({ issuer: "http://127.0.0.1:9400/", audiences: [AUDIENCE], store: null }).jwksUri).toBe(
      "http://127.0.0.1:9400/.well-known/jwks.json",
    );
  });

  it("does not mutate the caller's options object", () => {
    const options = { issuer: ISSUER, audiences: [AUDIENCE], store: null };
    const snapshot = structuredClone(options);
    createTokenVerifier(options);
    expect(options).toEqual(snapshot);
  });
});
