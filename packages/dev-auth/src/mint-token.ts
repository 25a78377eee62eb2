import { importJWK, SignJWT, type JWK } from "jose";

export interface MintOptions {
  issuer: string;
  audience: string;
  subject: string;
  clientId: string;
  scopes: readonly string[];
  expiresInSeconds?: number;
}

/**
 * Signs an access token directly with the dev key, in the same shape the local authorization
 * server (and Auth0's `rfc9068_profile_authz` dialect) issues — for curl and Inspector use.
 */
export async function mintAccessToken(key: JWK & { kid: string }, options: MintOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    client_id: options.clientId,
    azp: options.clientId,
    scope: options.scopes.join(" "),
    permissions: [...options.scopes],
  })
    .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "at+jwt" })
    .setIssuer(options.issuer)
    .setSubject(options.subject)
    .setAudience(options.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresInSeconds ?? 3600))
    .setJti(crypto.randomUUID())
    .sign(await importJWK(key, "RS256"));
}
