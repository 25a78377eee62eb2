import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The caller's own access token, for the one use MCP allows it beyond verification: the subject
 * of a token exchange at the authorization server (RFC 8693). Held in the request's async context
 * only — never on the caller object tools see, never in storage, logs, audit lines or errors.
 */
const subjectTokens = new AsyncLocalStorage<string>();

/** Runs `fn` with the request's verified access token available to token exchanges. */
export function withSubjectToken<T>(token: string | undefined, fn: () => T): T {
  return token === undefined || token === "" ? fn() : subjectTokens.run(token, fn);
}

/** The current request's access token; undefined where there is none (a call through a gateway, auth off). */
export function currentSubjectToken(): string | undefined {
  return subjectTokens.getStore();
}

/**
 * Internal header carrying the token from the Worker to its own session object only (the object is
 * reachable through its binding alone; the Worker always sets or removes it). Never to a backend.
 */
export const SUBJECT_TOKEN_HEADER = "x-edge-mcp-subject-token";
