/**
 * Values sealed for a browser to hold (AES-256-GCM, key derived with HKDF-SHA256 from a Worker
 * secret): cookies it can neither read nor forge — the operator console's session and sign-in
 * state, a server's account-connect flow. The purpose is bound as associated data, so one kind can
 * never be replayed as another.
 */
export type CookiePurpose = "session" | "sign-in" | "connect";

const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) {
    key = crypto.subtle
      .importKey("raw", new TextEncoder().encode(secret), "HKDF", false, ["deriveKey"])
      .then((base) => crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new TextEncoder().encode("edge-mcp-console cookie/1") }, base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]));
    keys.set(secret, key);
  }
  return key;
}

function toBase64Url(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Seals a value that expires at `expiresAt` (ms since the epoch). */
export async function seal(secret: string, purpose: CookiePurpose, value: Record<string, unknown>, expiresAt: number): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify({ ...value, exp: expiresAt }));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: new TextEncoder().encode(purpose) }, await keyFor(secret), plain));
  const out = new Uint8Array(iv.length + sealed.length);
  out.set(iv);
  out.set(sealed, iv.length);
  return toBase64Url(out);
}

/** Opens a sealed value: undefined when it was forged, altered, sealed for another purpose, or expired. */
export async function open<T extends Record<string, unknown>>(secret: string, purpose: CookiePurpose, text: string | undefined, now = Date.now()): Promise<T | undefined> {
  // A session holds one access token (a few KB at most); anything longer is not ours.
  if (text === undefined || text.length > 8192) return undefined;
  const bytes = fromBase64Url(text);
  if (bytes === undefined || bytes.length < 12 + 16) return undefined;
  try {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.slice(0, 12), additionalData: new TextEncoder().encode(purpose) }, await keyFor(secret), bytes.slice(12));
    const value = JSON.parse(new TextDecoder().decode(plain)) as T & { exp?: unknown };
    return typeof value.exp === "number" && value.exp > now ? value : undefined;
  } catch {
    return undefined;
  }
}
