import { importJWK, SignJWT, type JWK } from "jose";

export interface TokenClaims {
  sub?: string;
  client?: string;
  scopes?: readonly string[];
  aud?: string;
  iss?: string;
  expiresInSeconds?: number;
}

/**
 * Mints real RS256 access tokens shaped like Auth0's `rfc9068_profile_authz` dialect (`azp`,
 * `client_id`, `scope`, `permissions`), signed with the test key from `global-setup`.
 */
export function createTokenFactory(privateJwkJson: string, defaults: { issuer: string; audience: string }) {
  const jwk = JSON.parse(privateJwkJson) as JWK & { kid: string };
  const key = importJWK(jwk, "RS256");
  return async function token({
    sub = "auth0|alice",
    client = "client-a",
    scopes = ["tools.read"],
    aud = defaults.audience,
    iss = defaults.issuer,
    expiresInSeconds = 3600,
  }: TokenClaims = {}): Promise<string> {
    return new SignJWT({ azp: client, client_id: client, scope: scopes.join(" "), permissions: [...scopes] })
      .setProtectedHeader({ alg: "RS256", kid: jwk.kid, typ: "at+jwt" })
      .setIssuer(iss)
      .setSubject(sub)
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
      .sign(await key);
  };
}
