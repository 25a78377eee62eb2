import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from "jose";

export const ISSUER = "https://tenant.example-auth.test/";
export const AUDIENCE = "https://notes-mcp.example.test/mcp";
export const JWKS_URI = `${ISSUER}.well-known/jwks.json`;

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** A fresh RS256 key pair; the public half as a JWK with `kid`, `alg` and `use` like Auth0's. */
export async function generateSigningKey(kid: string, alg = "RS256"): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, privateKey, publicJwk };
}

export interface MintOptions {
  key: SigningKey;
  claims?: JWTPayload;
  header?: Record<string, unknown>;
  /** Remove these claims from the defaults. */
  omit?: string[];
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Signs an access token shaped like Auth0's `rfc9068_profile_authz` dialect. */
export async function mintToken({ key, claims = {}, header = {}, omit = [] }: MintOptions): Promise<string> {
  const payload: JWTPayload = {
    iss: ISSUER,
    sub: "auth0|alice",
    aud: [AUDIENCE, `${ISSUER}userinfo`],
    azp: "client-abc",
    client_id: "client-abc",
    scope: "openid tools.read",
    permissions: ["tools.read", "resources.read"],
    iat: nowSeconds(),
    exp: nowSeconds() + 3600,
    jti: crypto.randomUUID(),
    ...claims,
  };
  for (const name of omit) delete payload[name];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.publicJwk.alg ?? "RS256", kid: key.kid, typ: "at+jwt", ...header } as never)
    .sign(key.privateKey);
}

/** base64url of a JSON value or a string, for hand-built (bad) tokens. */
export function b64url(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Signs any header/payload with RS256 through WebCrypto directly, for tokens jose refuses to build. */
export async function signRaw(key: SigningKey, header: Record<string, unknown>, payload: unknown): Promise<string> {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key.privateKey, new TextEncoder().encode(input));
  let binary = "";
  for (const byte of new Uint8Array(signature)) binary += String.fromCharCode(byte);
  return `${input}.${btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}
