import type { CallerIdentity } from "./caller.ts";

/**
 * Who a stateful session belongs to, fixed at `initialize` (MCP security best practices:
 * "sessions are not authentication" — bind them to the user, `<sub>:<session>`).
 *
 * Bound to `sub` and the client id, not to a hash of the token: a refreshed token for the same
 * user and client keeps the session; another user's (or another client's) token presenting
 * the same session id is treated exactly like an unknown session (404), and touches nothing.
 */
export interface SessionBinding {
  readonly subject: string;
  readonly clientId: string;
}

export function bindingFor(caller: CallerIdentity): SessionBinding {
  return { subject: caller.subject, clientId: caller.clientId };
}

export function isBoundTo(binding: SessionBinding, caller: CallerIdentity): boolean {
  return binding.subject === caller.subject && binding.clientId === caller.clientId;
}
