import { SERVER_DEFAULTS } from "./defaults.ts";

/** base64url of `sessionIdBytes` random bytes: exactly this shape, nothing else is ours. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * A new session id: 256 bits from the platform CSPRNG, base64url (visible ASCII, as the
 * Streamable HTTP transport requires). Unguessable, so ids are never enumerated — but they
 * are still not credentials: every request is authenticated and bound (session-binding.ts).
 */
export function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SERVER_DEFAULTS.sessionIdBytes));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Whether a client-supplied id could be one of ours; anything else is answered 404 unrouted. */
export function isWellFormedSessionId(value: string): boolean {
  return SESSION_ID.test(value);
}
