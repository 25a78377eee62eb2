import type { OAuthHelpers } from "@cloudflare/workers-oauth-provider";

/**
 * Refresh-token reuse → the whole grant revoked (OAuth 2.1 §4.3.1 / RFC 9700 §4.14.2: a rotated
 * refresh token presented again means it leaked, so every token of that family goes). The library
 * rotates refresh tokens and refuses an old one (`refresh_token_mismatch`) but keeps the grant;
 * this finishes the job. Its tokens are `userId:grantId:secret`: the ids name the family, and only
 * someone who held a token of that family knows its (random, 128-bit) grant id.
 */
export async function revokeReusedFamily(oauth: OAuthHelpers, refreshToken: string): Promise<boolean> {
  const parts = refreshToken.split(":");
  if (parts.length !== 3 || parts.some((p) => p === "")) return false;
  const [userId, grantId] = parts as [string, string, string];
  try {
    await oauth.revokeGrant(grantId, userId);
    return true;
  } catch {
    return false; // already gone
  }
}
