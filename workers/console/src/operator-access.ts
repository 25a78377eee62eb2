import { createTokenVerifier, hasScopes, isAuthFailure, openSealed as open, OPERATOR_SCOPE, type TokenVerifier } from "@edge-mcp/auth";
import type { ConsoleConfig } from "./console-config.ts";

/** Who may see the console: a verified token for the console's audience carrying the operator scope. */
export type OperatorCheck =
  | { readonly ok: true; readonly subject: string; readonly expiresAt: number }
  | { readonly ok: false; readonly status: 401; readonly reason: "no_session" | "invalid_token" }
  | { readonly ok: false; readonly status: 403; readonly reason: "insufficient_scope"; readonly subject: string };

/** The session's sealed contents: the operator's access token, kept server-side readable only. */
export interface SessionValue extends Record<string, unknown> {
  readonly token: string;
}

const verifiers = new WeakMap<ConsoleConfig, TokenVerifier>();

function verifierFor(config: ConsoleConfig): TokenVerifier {
  let verifier = verifiers.get(config);
  if (verifier === undefined) {
    verifier = createTokenVerifier({ issuer: config.CONSOLE_ISSUER, audiences: [config.CONSOLE_AUDIENCE], ...(config.CONSOLE_JWKS_URI === undefined ? {} : { jwksUri: config.CONSOLE_JWKS_URI }) });
    verifiers.set(config, verifier);
  }
  return verifier;
}

/**
 * Checks an access token on every request (signature, issuer, audience, expiry — verified
 * results cached by the verifier), then the operator scope: a token for another API, or one
 * without `fleet.read`, never gets in, however it was obtained.
 */
export async function checkToken(config: ConsoleConfig, token: string | undefined): Promise<OperatorCheck> {
  if (token === undefined || token === "") return { ok: false, status: 401, reason: "no_session" };
  try {
    const caller = await verifierFor(config).verify(token);
    if (!hasScopes(caller, [OPERATOR_SCOPE])) return { ok: false, status: 403, reason: "insufficient_scope", subject: caller.subject };
    return { ok: true, subject: caller.subject, expiresAt: caller.expiresAt };
  } catch (error) {
    if (isAuthFailure(error) && error.code !== "jwks_unavailable") return { ok: false, status: 401, reason: "invalid_token" };
    throw error;
  }
}

/** The token a request carries: `Authorization: Bearer` (scripts), else the sealed session cookie (the page). */
export async function tokenOf(config: ConsoleConfig, request: Request, sessionCookie: string | undefined): Promise<string | undefined> {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(authorization);
    return match?.[1] ?? "";
  }
  return (await open<SessionValue>(config.CONSOLE_SESSION_KEY, "session", sessionCookie))?.token;
}
