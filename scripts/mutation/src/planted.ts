/**
 * Hand-made mutants: one-line bugs StrykerJS cannot plant here, each with the tests that must
 * catch it. Three kinds:
 * - a field dropped from a list, a shape Stryker's mutators do not make (requestState bindings);
 * - module-level code (a constant list), which the Workers pool evaluates once per module
 *   instance, so Stryker's static mutants are skipped (run-target.ts `ignoreStatic`);
 * - code in a dependency (the OAuth library's redirect URI check), which Stryker does not mutate.
 * The first six are the bugs the suite once missed (issue 28). Each edit must match exactly once:
 * a planted mutant whose code has changed is reported as stale, not silently skipped.
 */

export interface Edit {
  readonly find: string;
  readonly replace: string;
}

export interface PlantedMutant {
  readonly name: string;
  /** What the bug would let through. */
  readonly risk: string;
  /** The workspace whose tests must catch it, relative to the repo root. */
  readonly workspace: string;
  /** The file the bug goes into, relative to the repo root (a dependency's too). */
  readonly file: string;
  readonly edits: readonly Edit[];
  /** The test files that must fail with the bug in place, relative to the workspace. */
  readonly tests: readonly string[];
}

export const PLANTED: readonly PlantedMutant[] = [
  {
    name: "requestState not bound to the tool",
    risk: "a state minted by one tool is accepted by another tool called with the same arguments",
    workspace: "packages/server",
    file: "packages/server/src/mcp/request-state.ts",
    edits: [{ find: "`${message.method}\\u0000${target}\\u0000${", replace: "`${message.method}\\u0000${" }],
    tests: ["test/input-required.test.ts"],
  },
  {
    name: "requestState not bound to the client",
    risk: "a user's state replayed through another client (another app the same user signed in to) is accepted",
    workspace: "packages/server",
    file: "packages/server/src/mcp/request-state.ts",
    edits: [{ find: 'caller?.subject ?? "", caller?.clientId ?? "", ', replace: 'caller?.subject ?? "", ' }],
    tests: ["test/input-required.test.ts"],
  },
  {
    name: "PKCE not required of confidential clients",
    risk: "an authorization code without a code challenge: the library requires PKCE of public clients only",
    workspace: "workers/oauth",
    file: "workers/oauth/src/authorize.ts",
    edits: [{ find: 'if (parsed.codeChallenge === undefined || parsed.codeChallengeMethod !== "S256") {', replace: "if (false) {" }],
    tests: ["test/facade-worker.test.ts"],
  },
  {
    name: "refresh-token reuse keeps the family",
    risk: "a leaked refresh token goes on minting tokens after its rightful use",
    workspace: "workers/oauth",
    file: "workers/oauth/src/refresh-reuse.ts",
    edits: [{ find: "await oauth.revokeGrant(grantId, userId);", replace: "void grantId;" }],
    tests: ["test/refresh-tokens.test.ts"],
  },
  {
    name: "a dry run writes the gateway rules",
    risk: "`--dry-run` changes production when the rules namespace already exists",
    workspace: "scripts/provision",
    file: "scripts/provision/src/gateway.ts",
    edits: [{ find: 'if (dryRun) return "would write";', replace: "" }],
    tests: ["test/gateway.test.ts"],
  },
  {
    name: "redirect URIs matched by prefix (in the OAuth library)",
    risk: "a code sent to a URI that extends a registered one (another path, a query naming another site)",
    workspace: "workers/oauth",
    file: "node_modules/@cloudflare/workers-oauth-provider/dist/oauth-provider.js",
    edits: [
      { find: "reqUrl.pathname === regUrl.pathname && reqUrl.search === regUrl.search", replace: "(reqUrl.pathname + reqUrl.search).startsWith(regUrl.pathname + regUrl.search)" },
      { find: "return requestUri === registered;", replace: "return requestUri.startsWith(registered);" },
    ],
    tests: ["test/facade-worker.test.ts"],
  },
  {
    name: "OIDC protocol scopes treated as a server's scopes",
    risk: "`openid` or `offline_access` reaches tools and gateway rules as if the user had been granted it",
    workspace: "packages/auth",
    file: "packages/auth/src/scopes.ts",
    edits: [{ find: 'new Set(["openid", "profile", "email", "address", "phone", "offline_access"])', replace: "new Set<string>()" }],
    tests: ["test/verify-access-token.test.ts"],
  },
  {
    name: "tools.write no longer implies tools.read",
    risk: "a token that may change things is refused the list of what it may change",
    workspace: "packages/auth",
    file: "packages/auth/src/scopes.ts",
    edits: [{ find: "[SCOPES.toolsWrite]: Object.freeze([SCOPES.toolsRead]),", replace: "" }],
    tests: ["test/scopes.test.ts"],
  },
];
