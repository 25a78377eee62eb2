/**
 * The link a user follows to connect an account: `{origin}/connect/{api}?ticket=…`, the ticket an
 * HMAC-SHA256 (the server's MCP_REQUEST_STATE_KEY) over who asked (sub), for which API, until
 * when. The connect flow only continues for a user who signs in as that same sub.
 */
export interface ConnectTicket {
  readonly sub: string;
  readonly api: string;
  /** ms since the epoch. */
  readonly exp: number;
}

/** How long a connect link works, in milliseconds. */
export const CONNECT_TICKET_TTL_MS = 15 * 60_000;

const keys = new Map<string, Promise<CryptoKey>>();
function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) keys.set(secret, (key = crypto.subtle.importKey("raw", new TextEncoder().encode(`edge-mcp connect ticket/1:${secret}`), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"])));
  return key;
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const unb64 = (text: string) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

export async function signTicket(secret: string, ticket: ConnectTicket): Promise<string> {
  const payload = new TextEncoder().encode(JSON.stringify(ticket));
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await keyFor(secret), payload));
  return `${b64(payload)}.${b64(mac)}`;
}

/** The ticket when its signature holds and it has not expired; undefined otherwise. */
export async function verifyTicket(secret: string, text: string | null | undefined, now = Date.now()): Promise<ConnectTicket | undefined> {
  if (text === null || text === undefined || text.length > 2048 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const [payload, mac] = text.split(".") as [string, string];
  try {
    const bytes = unb64(payload);
    if (!(await crypto.subtle.verify("HMAC", await keyFor(secret), unb64(mac), bytes))) return undefined;
    const ticket = JSON.parse(new TextDecoder().decode(bytes)) as ConnectTicket;
    return typeof ticket.sub === "string" && typeof ticket.api === "string" && typeof ticket.exp === "number" && ticket.exp > now ? ticket : undefined;
  } catch {
    return undefined;
  }
}
