import type { GatewayRule, GatewayRules } from "@edge-mcp/config";

/** The verified facts rules can look at: never the token itself. */
export interface CallerFacts {
  readonly subject: string;
  readonly scopes: readonly string[];
  /** The verified token's claims (absent when auth is disabled). */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** What one caller may do through the gateway, decided once per request. */
export interface Policy {
  /** Whether the caller may see and call `tool` of `backend`. */
  allows(backend: string, tool: string): boolean;
  /** Whether any rule gives the caller something of `backend` (its tools are then listed, filtered by `allows`). */
  reaches(backend: string): boolean;
  /** The scopes passed to backends: the token's, narrowed by the matching rules' `scopes`. */
  readonly scopes: readonly string[];
  /**
   * Whether the rules leave room for a tool needing `scopes`. Only the rules' narrowing counts: a
   * tool the token lacks a scope for is still offered, and calling it gets the 403 step-up.
   */
  permits(scopes: readonly string[]): boolean;
  /** Names of the matching rules, for audit. */
  readonly matched: readonly string[];
  /** Which rules matched, by position: equal signatures (same rules version) mean equal decisions. */
  readonly signature: string;
}

interface Pattern {
  readonly deny: boolean;
  readonly server: RegExp;
  readonly tool: RegExp;
}

/** A glob part: `*` matches any run of characters, everything else itself. */
function glob(part: string): RegExp {
  return new RegExp(`^${part.split("*").map((s) => s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")).join(".*")}$`);
}

function compile(pattern: string): Pattern {
  const deny = pattern.startsWith("!");
  const body = deny ? pattern.slice(1) : pattern;
  const dot = body.indexOf(".");
  return { deny, server: glob(body.slice(0, dot)), tool: glob(body.slice(dot + 1)) };
}

function claimIncludes(claims: Readonly<Record<string, unknown>> | undefined, name: string, value: string): boolean {
  const claim = claims?.[name];
  return Array.isArray(claim) ? claim.includes(value) : claim === value;
}

/** Whether every condition of a rule's `when` holds for the caller. */
function matches(rule: GatewayRule, caller: CallerFacts): boolean {
  const { sub, claim, scope } = rule.when;
  if (sub !== undefined && !(typeof sub === "string" ? sub === caller.subject : sub.includes(caller.subject))) return false;
  if (claim !== undefined && !claimIncludes(caller.claims, claim.name, claim.includes)) return false;
  if (scope !== undefined && !caller.scopes.includes(scope)) return false;
  return true;
}

const compiled = new WeakMap<GatewayRule, readonly Pattern[]>();
function patternsOf(rule: GatewayRule): readonly Pattern[] {
  let patterns = compiled.get(rule);
  if (patterns === undefined) compiled.set(rule, (patterns = rule.allow.map(compile)));
  return patterns;
}

/**
 * The caller's policy: deny by default. A tool is allowed when a matching rule allows it and no
 * matching rule denies it (`!server.tool` wins over any allow).
 */
export function policyFor(rules: GatewayRules, caller: CallerFacts): Policy {
  const matching = rules.rules.filter((rule) => matches(rule, caller));
  const patterns = matching.flatMap(patternsOf);
  const allows = patterns.filter((p) => !p.deny);
  const denies = patterns.filter((p) => p.deny);
  // A matching rule without `scopes` narrows nothing; otherwise the union of the rules' lists caps the token's.
  const narrowing = matching.length === 0 || matching.some((rule) => rule.scopes === undefined) ? undefined : new Set(matching.flatMap((rule) => rule.scopes!));
  const scopes = narrowing === undefined ? caller.scopes : caller.scopes.filter((s) => narrowing.has(s));
  return {
    allows: (backend, tool) =>
      allows.some((p) => p.server.test(backend) && p.tool.test(tool)) && !denies.some((p) => p.server.test(backend) && p.tool.test(tool)),
    reaches: (backend) => allows.some((p) => p.server.test(backend)),
    scopes: Object.freeze([...scopes]),
    permits: (needed) => narrowing === undefined || needed.every((s) => narrowing.has(s)),
    matched: matching.map((rule) => rule.name ?? `#${rules.rules.indexOf(rule)}`),
    signature: matching.map((rule) => rules.rules.indexOf(rule)).join(","),
  };
}
