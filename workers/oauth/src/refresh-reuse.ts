import type { OAuthHelpers } from "@cloudflare/workers-oauth-provider";

/**
 * Refresh-token reuse → the whole grant revoked (OAuth 2.1 §4.3.1 / RFC 9700 §4.14.2: a rotated
 * refresh token presented again means it leaked, so every token of that family goes). The library
 * rotates refresh tokens, refuses tokens older than the previous one (`refresh_token_mismatch`)
 * but keeps the grant, and accepts the previous token again (rotating once more) — so a leaked
 * token would go on minting tokens until the rightful client refreshed. The facade closes both:
 * it remembers each refresh token once it has been used (a SHA-256 of it, never the token) and
 * treats any later use as reuse — except within `graceSeconds` of the first use, for a client
 * retrying after a lost response; and it revokes the family on the library's mismatch.
 */

/** KV key prefix of used refresh tokens (their SHA-256, hex). */
const USED_PREFIX = "edge-mcp-refresh-used:";

async function usedKey(refreshToken: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(refreshToken)));
  return USED_PREFIX + Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether this refresh token was used before: never, within the grace (a lost response), or before that (reuse). */
export async function refreshTokenUse(kv: KVNamespace, refreshToken: string, nowSeconds: number, graceSeconds: number): Promise<"first" | "grace" | "reused"> {
  const at = await kv.get(await usedKey(refreshToken));
  if (at === null) return "first";
  return nowSeconds - Number(at) <= graceSeconds ? "grace" : "reused";
}

/** Records a refresh token's first use, for as long as its grant can live (`ttlSeconds`). */
export async function markRefreshTokenUsed(kv: KVNamespace, refreshToken: string, nowSeconds: number, ttlSeconds: number): Promise<void> {
  const key = await usedKey(refreshToken);
  if ((await kv.get(key)) !== null) return; // a retry within the grace keeps the first use's time
  await kv.put(key, String(nowSeconds), { expirationTtl: Math.max(60, ttlSeconds) });
}

/** Revokes the grant a refresh token belongs to. Its tokens are `userId:grantId:secret`: the ids name the family. */
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
