import { SCOPE_PROFILES, type AuthContext } from "@edge-mcp/auth";
import { ProtocolError, ProtocolErrorCode, type AuthInfo } from "@modelcontextprotocol/server";
import { z } from "zod";

/** What tools (and the session object) learn about the caller: never the raw token. */
export interface CallerIdentity {
  readonly subject: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
}

/** The identity used when `AUTH_DISABLED=true` (local development and conformance runs only). */
export const AUTH_DISABLED_CALLER: CallerIdentity = Object.freeze({
  subject: "auth-disabled",
  clientId: "auth-disabled",
  scopes: Object.freeze([...SCOPE_PROFILES.standard]),
});

/**
 * The verified token claims behind a caller, for `setup`: never given to tools, never sent to
 * another worker; they travel only to this worker's own session object (`encodeCaller`).
 */
const claimsByCaller = new WeakMap<CallerIdentity, Readonly<Record<string, unknown>>>();

export function callerFrom(auth: AuthContext): CallerIdentity {
  const caller = { subject: auth.subject, clientId: auth.clientId, scopes: auth.scopes };
  claimsByCaller.set(caller, auth.claims);
  return caller;
}

/** The claims of the token a caller was verified from in this request; undefined otherwise (auth off, requests from a gateway). */
export function claimsOf(caller: CallerIdentity): Readonly<Record<string, unknown>> | undefined {
  return claimsByCaller.get(caller);
}

/**
 * Internal header carrying the verified caller from the Worker to the session Durable Object.
 * The object is reachable only through its binding, and the Worker always overwrites this
 * header, so a client cannot supply it.
 */
export const CALLER_HEADER = "x-edge-mcp-caller";

const CallerSchema = z.object({
  subject: z.string().min(1).max(512),
  clientId: z.string().max(512),
  scopes: z.array(z.string().max(256)).max(256),
  claims: z.record(z.string(), z.unknown()).optional(),
});

/**
 * The caller as the internal header carries it: to a gateway's backend (never with claims), or
 * with `claims: true` to this Worker's own session object (setup in the session reads them).
 * ASCII only: a header value is bytes (RFC 9110 §5.5; the Fetch standard's Headers take byte
 * strings — workerd is lenient, other runtimes and proxies are not), and claims may hold any text
 * (a name, an emoji), so everything beyond ASCII is written as a JSON `\uXXXX` escape.
 */
export function encodeCaller(caller: CallerIdentity, options: { readonly claims?: boolean } = {}): string {
  const claims = options.claims === true ? claimsOf(caller) : undefined;
  const json = JSON.stringify({ subject: caller.subject, clientId: caller.clientId, scopes: caller.scopes, ...(claims === undefined ? {} : { claims }) });
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * The caller in the header, checked for shape; undefined when malformed. `claims: true` only for
 * this Worker's own session object: a caller from a gateway never brings claims.
 */
export function decodeCaller(value: string | null, options: { readonly claims?: boolean } = {}): CallerIdentity | undefined {
  if (value === null) return undefined;
  try {
    const parsed = CallerSchema.safeParse(JSON.parse(value));
    if (!parsed.success) return undefined;
    const { claims, ...identity } = parsed.data;
    const caller: CallerIdentity = identity;
    if (options.claims === true && claims !== undefined) claimsByCaller.set(caller, Object.freeze(claims));
    return caller;
  } catch {
    return undefined;
  }
}

/**
 * The SDK's `AuthInfo` for a caller. `token` is deliberately empty: tool code never sees the
 * client's token (MCP security best practices: no token passthrough).
 */
export function toAuthInfo(caller: CallerIdentity): AuthInfo {
  return { token: "", clientId: caller.clientId, scopes: [...caller.scopes], extra: { subject: caller.subject } };
}

/** Recovers the caller from the SDK handler `extra.authInfo` that `toAuthInfo` produced. */
export function callerFromAuthInfo(info: AuthInfo | undefined): CallerIdentity | undefined {
  const subject = info?.extra?.subject;
  if (info === undefined || typeof subject !== "string") return undefined;
  return { subject, clientId: info.clientId, scopes: info.scopes };
}

/**
 * The caller of the request a handler serves. Works in any SDK handler (resources, prompts,
 * completions) from its context; throws if the request did not come through edge-mcp's HTTP layer.
 */
export function callerOf(ctx: { http?: { authInfo?: Parameters<typeof callerFromAuthInfo>[0] } }): CallerIdentity {
  const caller = callerFromAuthInfo(ctx.http?.authInfo);
  if (caller === undefined) throw new ProtocolError(ProtocolErrorCode.InternalError, "No verified caller on this request.");
  return caller;
}
