import { exportSPKI, SignJWT, generateKeyPair } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { InvalidTokenError, type InvalidTokenReason, type TokenVerifier } from "../src/index.ts";
import { JwksEndpoint } from "./helpers/jwks-endpoint.ts";
import { AUDIENCE, b64url, generateSigningKey, ISSUER, mintToken, signRaw, type SigningKey } from "./helpers/keys.ts";
import { rejectionOf, setup } from "./helpers/verifier.ts";

/**
 * The bad-token corpus: each entry builds one token that must be rejected with a precise
 * `invalid_token` reason. Keys are generated in setup; nothing is pasted.
 */
let key: SigningKey;
let otherKey: SigningKey;
let verifier: TokenVerifier;
let endpoint: JwksEndpoint;
let good: string;

const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  ({ key, verifier, endpoint } = await setup());
  otherKey = await generateSigningKey("key-other");
  good = await mintToken({ key });
});

/** Re-signs nothing: swaps one segment of a valid token. */
function withSegment(token: string, index: number, value: string): string {
  const parts = token.split(".");
  parts[index] = value;
  return parts.join(".");
}

async function signWith(alg: string, header: Record<string, unknown> = {}): Promise<string> {
  const { privateKey } = await generateKeyPair(alg);
  return new SignJWT({ iss: ISSUER, sub: "auth0|alice", aud: AUDIENCE, azp: "c", exp: now() + 60 })
    .setProtectedHeader({ alg, kid: key.kid, ...header })
    .sign(privateKey);
}

const corpus: Array<[string, () => Promise<string>, InvalidTokenReason]> = [
  // Algorithm confusion (RFC 8725 §2.1, §3.1)
  ["alg none with an empty signature", async () => `${b64url({ alg: "none", kid: "key-1" })}.${good.split(".")[1]}.`, "unsupported_alg"],
  ["alg 'None' spelled differently", async () => withSegment(good, 0, b64url({ alg: "None", kid: "key-1" })), "unsupported_alg"],
  ["HS256 signed with the RSA public key as the HMAC secret", async () => {
    const spki = await exportSPKI((await crypto.subtle.importKey("jwk", key.publicJwk as JsonWebKey, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["verify"])) as CryptoKey);
    return new SignJWT({ iss: ISSUER, sub: "auth0|mallory", aud: AUDIENCE, azp: "c", exp: now() + 60 })
      .setProtectedHeader({ alg: "HS256", kid: key.kid })
      .sign(new TextEncoder().encode(spki));
  }, "unsupported_alg"],
  ["HS512 signed with the JWK modulus as the secret", async () =>
    new SignJWT({ iss: ISSUER, sub: "x", aud: AUDIENCE, azp: "c", exp: now() + 60 })
      .setProtectedHeader({ alg: "HS512", kid: key.kid })
      .sign(new TextEncoder().encode(String(key.publicJwk.n))), "unsupported_alg"],
  ["RS384, a real RSA signature but not an allowed algorithm", () => signWith("RS384"), "unsupported_alg"],
  ["PS256", () => signWith("PS256"), "unsupported_alg"],
  ["ES256", () => signWith("ES256"), "unsupported_alg"],
  ["lowercase alg rs256", async () => withSegment(good, 0, b64url({ alg: "rs256", kid: "key-1" })), "unsupported_alg"],
  ["no alg at all (RFC 7515 §4.1.1: alg is required)", async () => withSegment(good, 0, b64url({ kid: "key-1", typ: "at+jwt" })), "malformed"],
  // Keys
  ["a kid that is not in the JWKS (signed by an unknown key)", () => mintToken({ key: otherKey }), "unknown_key"],
  ["no kid in the header", () => mintToken({ key, header: { kid: undefined } }), "unknown_key"],
  ["an empty kid", () => mintToken({ key, header: { kid: "" } }), "unknown_key"],
  ["the right kid but signed by another key", () => mintToken({ key: { ...otherKey, kid: key.kid } }), "bad_signature"],
  // Signature
  ["a payload changed after signing (sub swapped)", async () => {
    const payload = JSON.parse(atob(good.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    return withSegment(good, 1, b64url({ ...payload, sub: "auth0|mallory" }));
  }, "bad_signature"],
  ["a truncated signature", async () => good.slice(0, -10), "bad_signature"],
  ["an empty signature", async () => withSegment(good, 2, ""), "bad_signature"],
  ["a signature from another token", async () => withSegment(good, 2, (await mintToken({ key, claims: { sub: "bob" } })).split(".")[2]!), "bad_signature"],
  // Time (RFC 7519 §4.1.4, §4.1.5)
  ["expired an hour ago", () => mintToken({ key, claims: { iat: now() - 7200, exp: now() - 3600 } }), "expired"],
  ["nbf an hour in the future", () => mintToken({ key, claims: { nbf: now() + 3600 } }), "not_yet_valid"],
  ["no exp claim", () => mintToken({ key, omit: ["exp"] }), "invalid_claims"],
  ["exp as a string", () => mintToken({ key, claims: { exp: String(now() + 60) as never } }), "invalid_claims"],
  // Issuer and audience (RFC 8707, RFC 9068 §4)
  ["a wrong issuer", () => mintToken({ key, claims: { iss: "https://evil.example.test/" } }), "wrong_issuer"],
  ["the issuer without its trailing slash", () => mintToken({ key, claims: { iss: ISSUER.slice(0, -1) } }), "wrong_issuer"],
  ["no issuer", () => mintToken({ key, omit: ["iss"] }), "wrong_issuer"],
  ["a wrong audience (another MCP server)", () => mintToken({ key, claims: { aud: "https://other-mcp.example.test/mcp" } }), "wrong_audience"],
  ["the audience with a trailing slash that is not configured", () => mintToken({ key, claims: { aud: `${AUDIENCE}/` } }), "wrong_audience"],
  ["an ID token whose audience is the client id", () => mintToken({ key, claims: { aud: "client-abc" } }), "wrong_audience"],
  ["no audience", () => mintToken({ key, omit: ["aud"] }), "wrong_audience"],
  // Claims edge-mcp relies on
  ["no sub", () => mintToken({ key, omit: ["sub"] }), "invalid_claims"],
  ["no azp and no client_id", () => mintToken({ key, omit: ["azp", "client_id"] }), "invalid_claims"],
  ["azp and client_id that disagree", () => mintToken({ key, claims: { azp: "a", client_id: "b" } }), "invalid_claims"],
  ["permissions that is not an array of strings", () => mintToken({ key, claims: { permissions: "tools.write" as never } }), "invalid_claims"],
  ["scope that is not a string", () => mintToken({ key, claims: { scope: ["tools.write"] as never } }), "invalid_claims"],
  // Structure (RFC 7515 §7.1)
  ["the empty string", async () => "", "malformed"],
  ["two segments only", async () => good.split(".").slice(0, 2).join("."), "malformed"],
  ["an extra dot and segment", async () => `${good}.${good.split(".")[2]}`, "malformed"],
  ["five segments shaped like a JWE", async () => `${good}.abc.def`, "malformed"],
  ["characters outside base64url", async () => good.replace(".", ".!!"), "malformed"],
  ["standard base64 with + and /", async () => withSegment(good, 1, "ab+c/d=="), "malformed"],
  ["a header that is base64url of non-JSON", async () => withSegment(good, 0, b64url("not json")), "malformed"],
  ["a header that is a JSON array", async () => withSegment(good, 0, b64url(["RS256"])), "malformed"],
  ["a payload that is base64url of non-JSON", async () => {
    const header = good.split(".")[0]!;
    return `${header}.${b64url("garbage")}.${good.split(".")[2]}`;
  }, "bad_signature"],
  ["a token of 9 KiB", () => mintToken({ key, claims: { pad: "x".repeat(9 * 1024) } }), "malformed"],
  ["whitespace inside the token", async () => good.replace(".", ". "), "malformed"],
  ["an unknown critical header extension (RFC 7515 §4.1.11)", () =>
    signRaw(key, { alg: "RS256", kid: key.kid, crit: ["exp-x"], "exp-x": 1 }, { iss: ISSUER, sub: "a", aud: AUDIENCE, azp: "c", exp: now() + 60 }), "malformed"],
  ["a correctly signed token whose payload is a JSON array", () => signRaw(key, { alg: "RS256", kid: key.kid }, [ISSUER]), "malformed"],
];

describe("verify() rejects bad tokens with a precise reason", () => {
  it("has a corpus of at least 30 distinct bad tokens", () => {
    expect(new Set(corpus.map(([name]) => name)).size).toBeGreaterThanOrEqual(30);
  });

  it("accepts the well-formed token the corpus is derived from", async () => {
    await expect(verifier.verify(good)).resolves.toMatchObject({ subject: "auth0|alice" });
  });

  it.each(corpus)("rejects %s", async (_name, build, reason) => {
    const token = await build();
    const error = await rejectionOf(verifier.verify(token));
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect((error as InvalidTokenError).code).toBe("invalid_token");
    expect((error as InvalidTokenError).reason).toBe(reason);
    if (token.length > 20) expect((error as Error).message).not.toContain(token.slice(-20));
  });

  it("never fetched the JWKS more than once for the whole corpus (garbage costs no fetch)", () => {
    // One fetch for the good token, plus at most one for the unknown kid (then the cooldown holds).
    expect(endpoint.fetchCount).toBeLessThanOrEqual(2);
  });
});
