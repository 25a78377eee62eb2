import type { AuthContext } from "./auth-context.ts";
import { InsufficientScopeError } from "./errors.ts";

/** The built-in scope vocabulary every edge-mcp server understands. */
export const SCOPES = Object.freeze({
  resourcesRead: "resources.read",
  promptsRead: "prompts.read",
  toolsRead: "tools.read",
  toolsWrite: "tools.write",
} as const);

/**
 * Scopes of the OAuth / OpenID Connect protocol itself (OIDC Core §5.4, §11: `openid`, `profile`,
 * `email`, `offline_access` asks for a refresh token): they ask the authorization server for
 * something, and grant nothing at a resource server. A token may carry them (Auth0 lists requested
 * OIDC scopes in an access token's `scope`; the OAuth facade keeps `offline_access`); they are
 * never handed to tools or rules as if they were a server's scopes.
 */
export const PROTOCOL_SCOPES: ReadonlySet<string> = new Set(["openid", "profile", "email", "address", "phone", "offline_access"]);

/** The scopes of a token that mean something at a resource server: blanks and protocol scopes removed, each once. */
export function resourceScopes(scopes: Iterable<string>): readonly string[] {
  const kept = new Set<string>();
  for (const scope of scopes) if (scope !== "" && !PROTOCOL_SCOPES.has(scope)) kept.add(scope);
  return Object.freeze([...kept]);
}

export type BuiltInScope = (typeof SCOPES)[keyof typeof SCOPES];

/** Named bundles of scopes a server (and the provisioner) can declare. */
/**
 * The operator scope: a fleet's operational detail (each backend's health, the rules in force, and
 * the operator console) is shown only to a token carrying it. No scope profile includes it: a
 * server that offers detail names it in its mcp.json `extraScopes`, and only operators are granted it.
 */
export const OPERATOR_SCOPE = "fleet.read";

export const SCOPE_PROFILES = Object.freeze({
  readonly: Object.freeze([SCOPES.resourcesRead, SCOPES.promptsRead, SCOPES.toolsRead] as const),
  standard: Object.freeze([SCOPES.resourcesRead, SCOPES.promptsRead, SCOPES.toolsRead, SCOPES.toolsWrite] as const),
});

export type ScopeProfile = keyof typeof SCOPE_PROFILES;

/** A granted scope also grants these: whoever may change tools' effects may list and read them. */
const IMPLIED: Readonly<Record<string, readonly string[]>> = Object.freeze({
  [SCOPES.toolsWrite]: Object.freeze([SCOPES.toolsRead]),
});

/** The scopes a token effectively has, with implications applied. */
export function effectiveScopes(granted: Iterable<string>): Set<string> {
  const result = new Set<string>();
  for (const scope of granted) {
    result.add(scope);
    for (const implied of IMPLIED[scope] ?? []) result.add(implied);
  }
  return result;
}

/** The required scopes the context lacks, in the order they were asked for. */
export function missingScopes(ctx: Pick<AuthContext, "scopes">, required: Iterable<string>): string[] {
  const have = effectiveScopes(ctx.scopes);
  return [...new Set(required)].filter((scope) => !have.has(scope));
}

export function hasScopes(ctx: Pick<AuthContext, "scopes">, required: Iterable<string>): boolean {
  return missingScopes(ctx, required).length === 0;
}

/**
 * Throws `InsufficientScopeError` naming every scope the operation needs (not just the
 * missing ones): RFC 6750 §3.1 and the MCP step-up flow ask the client to request the full set.
 */
export function requireScopes(ctx: Pick<AuthContext, "scopes">, required: readonly string[]): void {
  if (!hasScopes(ctx, required)) throw new InsufficientScopeError(required);
}
