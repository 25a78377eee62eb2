/**
 * What the mutation check mutates: the security- and correctness-critical files, grouped by the
 * workspace whose own tests must notice a change to them (each group runs that workspace's
 * vitest config, the Workers pool included, exactly as `npm test` does).
 */

/**
 * Part of a file: from the line holding `from` to the first line after it holding `to`, both
 * included. Anchors are text, not line numbers, so edits above them do not move the range; an
 * anchor that disappears stops the run (and the mutation workspace's tests) with its name.
 */
export interface FileRange {
  readonly file: string;
  readonly from: string;
  readonly to: string;
}

export type MutatedFile = string | FileRange;

export interface MutationTarget {
  /** The name on the command line (`npm run mutation -- --target auth`). */
  readonly name: string;
  /** The workspace whose tests judge the mutants, relative to the repo root. */
  readonly workspace: string;
  /** What the files decide, for the plan and the docs. */
  readonly guards: string;
  /** Files to mutate, relative to the workspace: whole, or the lines between two anchors. */
  readonly files: readonly MutatedFile[];
  /**
   * The test files that judge them, relative to the workspace (default: all of the workspace's).
   * Each mutant still runs only the tests that reached its code in the initial run.
   */
  readonly tests?: readonly string[];
  /**
   * The lowest mutation score (%) the run accepts: the score recorded in docs/testing.md, rounded
   * down. Raise it when tests improve; a drop means new code whose mistakes no test notices.
   */
  readonly floor: number;
  /** Files at the repo root the tests read (the sandbox holds only the workspace otherwise). */
  readonly alsoCopies?: readonly string[];
}

export const TARGETS: readonly MutationTarget[] = [
  {
    name: "auth",
    workspace: "packages/auth",
    guards: "access-token verification (signature, algorithm, issuer, audience, expiry), claims and scopes",
    files: ["src/verify-access-token.ts", "src/token-claims.ts", "src/scopes.ts"],
    tests: ["test/rejects-bad-tokens.test.ts", "test/verify-access-token.test.ts", "test/scopes.test.ts", "test/verified-token-cache.test.ts"],
    floor: 70,
  },
  {
    name: "server",
    workspace: "packages/server",
    guards: "a session bound to its user, per-tool and per-method scopes, the requestState binding",
    files: ["src/base/session-binding.ts", "src/policy/scope-check.ts", "src/policy/method-scopes.ts", "src/mcp/request-state.ts"],
    tests: ["test/sessions.test.ts", "test/input-required.test.ts", "test/http-errors.test.ts"],
    floor: 81,
  },
  {
    name: "apis",
    workspace: "packages/server",
    guards: "acting as the user: what an exchanged token must be before a tool may use it (issuer, audience, user, actor, scopes), and whose cached token a call gets",
    files: ["src/apis/token-exchange.ts", "src/apis/token-cache.ts"],
    tests: ["test/token-exchange-checks.test.ts", "test/token-cache.test.ts"],
    floor: 81,
  },
  {
    name: "gateway",
    workspace: "workers/gateway",
    guards: "which tools, prompts and resources a user reaches through the gateway (deny beats allow)",
    files: ["src/policy.ts"],
    tests: ["test/policy.test.ts"],
    floor: 86,
  },
  {
    name: "oauth",
    workspace: "workers/oauth",
    guards: "the facade's authorize and token checks: PKCE, consent, refresh-token reuse",
    files: ["src/authorize.ts", "src/refresh-reuse.ts"],
    tests: ["test/facade-worker.test.ts", "test/refresh-tokens.test.ts", "test/cimd.test.ts"],
    floor: 45,
  },
  {
    name: "provision",
    workspace: "scripts/provision",
    guards: "which Auth0 objects the provisioner owns (and so may change or delete), and dry runs that write nothing",
    files: [
      "src/client-ownership.ts",
      // The plan's ownership decisions: which applications, APIs and grants it may update or delete.
      { file: "src/plan.ts", from: "const owned = resolveOwnedClients(", to: "return { changes, clientIds, warnings };" },
      "src/gateway.ts",
    ],
    tests: ["test/ownership-attacks.test.ts", "test/provision.test.ts", "test/cimd.test.ts", "test/gateway.test.ts"],
    alsoCopies: ["wrangler.toml.template", ".env.example"],
    floor: 77,
  },
];

/** The pseudo-target of the hand-made mutants (src/planted.ts). */
export const PLANTED_TARGET = "planted";

export interface Selection {
  readonly targets: readonly MutationTarget[];
  readonly planted: boolean;
}

/** The Stryker targets named, in the order of TARGETS, and whether to plant the hand-made mutants; everything when nothing is named. */
export function selectTargets(names: readonly string[]): Selection {
  if (names.length === 0) return { targets: [...TARGETS], planted: true };
  return { targets: TARGETS.filter((t) => names.includes(t.name)), planted: names.includes(PLANTED_TARGET) };
}

/** Whether a target's score fell below its floor (a run with no valid mutant has no score to hold). */
export function belowFloor(result: { readonly target: string; readonly score: number | null }, targets: readonly MutationTarget[] = TARGETS): boolean {
  const floor = targets.find((t) => t.name === result.target)?.floor;
  return floor !== undefined && result.score !== null && result.score < floor;
}
