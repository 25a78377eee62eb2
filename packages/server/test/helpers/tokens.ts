import { importJWK, SignJWT, type JWK } from "jose";
import { inject } from "vitest";

export const RESOURCE = "https://test-mcp.example.test/mcp";
export const ISSUER = "https://tenant.example-auth.test/";
export const PRM_URL = "https://test-mcp.example.test/.well-known/oauth-protected-resource/mcp";

const privateJwk = JSON.parse(inject("privateJwk")) as JWK & { kid: string };
const keyPromise = importJWK(privateJwk, "RS256");

export interface TokenClaims {
  sub?: string;
  client?: string;
  scopes?: string[];
  aud?: string;
  expiresInSeconds?: number;
}

/** A real RS256 access token shaped like Auth0's rfc9068_profile_authz dialect. */
export async function token({ sub = "auth0|alice", client = "client-a", scopes = ["tools.read"], aud = RESOURCE, expiresInSeconds = 3600 }: TokenClaims = {}): Promise<string> {
  return new SignJWT({ azp: client, client_id: client, scope: scopes.join(" "), permissions: scopes })
    .setProtectedHeader({ alg: "RS256", kid: privateJwk.kid, typ: "at+jwt" })
    .setIssuer(ISSUER)
    .setSubject(sub)
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
    .sign(await keyPromise);
}
