import type { GatewayRule, GatewayRules } from "@edge-mcp/config";

/** The verified facts rules can look at: never the token itself. */
export interface CallerFacts {
  readonly subject: string;
  readonly scopes: readonly string[];
  /** The verified token's claims (absent when auth is disabled). */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** The facts of a verified caller (its claims: the token's, or those a session carries). */
export function factsOf(caller: { readonly subject: string; readonly scopes: readonly string[] }, claims?: Readonly<Record<string, unknown>>): CallerFacts {
  return { subject: caller.subject, scopes: caller.scopes, ...(claims === undefined ? {} : { claims }) };
}

/** What a rule's patterns name: a backend's tools (`allow`), its prompts, or its resources and resource templates. */
export type ItemKind = "tools" | "prompts" | "resources";

/** What one caller may do through the gateway, decided once per request. */
export interface Policy {
  /** Whether the caller may see and call `tool` of `backend`. */
  allows(backend: string, tool: string): boolean;
  /** Whether the caller may see and use the prompt, resource or template `name` of `backend` (`kind` chooses which patterns decide). */
  allowsItem(kind: ItemKind, backend: string, name: string): boolean;
  /**
   * Whether the rules could give the caller anything of `kind` of `backend`: an allow pattern
   * names it and no deny pattern takes all of it. Its list is then fetched and filtered item by item.
   */
  reaches(backend: string, kind?: ItemKind): boolean;
  /** The scopes passed to backends: the token's, narrowed by the matching rules' `scopes`. */
  readonly scopes: readonly string[];
  /**
   * Whether the rules leave room for a tool needing `scopes`. Only the rules' narrowing counts: a
   * tool the token lacks a scope for is still offered, and calling it gets the 403 step-up.
   */
  permits(scopes: readonly string[]): boolean;
  /** Whether any rule matches the caller at all (a caller no rule matches gets nothing, not even a listener). */
  readonly matchesAny: boolean;
  /** Names of the matching rules, for audit. */
  readonly matched: readonly string[];
  /** Which rules matched, by position: equal signatures (same rules version) mean equal decisions. */
  readonly signature: string;
}

interface Pattern {
  readonly deny: boolean;
  readonly server: RegExp;
  readonly item: RegExp;
  /** `*` after the dot: the pattern covers every item of the servers it names. */
  readonly whole: boolean;
}

/** A glob part: `*` matches any run of characters, everything else itself. */
function glob(part: string): RegExp {
  return new RegExp(`^${part.split("*").map((s) => s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")).join(".*")}$`);
}

function compile(pattern: string): Pattern {
  const deny = pattern.startsWith("!");
  const body = deny ? pattern.slice(1) : pattern;
  const dot = body.indexOf(".");
  const item = body.slice(dot + 1);
  return { deny, server: glob(body.slice(0, dot)), item: glob(item), whole: item === "*" };
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

const FIELD: Record<ItemKind, "allow" | "prompts" | "resources"> = { tools: "allow", prompts: "prompts", resources: "resources" };
const compiled = new WeakMap<GatewayRule, Record<ItemKind, readonly Pattern[]>>();
function patternsOf(rule: GatewayRule): Record<ItemKind, readonly Pattern[]> {
  let patterns = compiled.get(rule);
  if (patterns === undefined) {
    patterns = { tools: rule.allow.map(compile), prompts: (rule.prompts ?? []).map(compile), resources: (rule.resources ?? []).map(compile) };
    compiled.set(rule, patterns);
  }
  return patterns;
}

/** One kind's patterns of the matching rules: what allows, what denies. */
function decider(patterns: readonly Pattern[]) {
  const allows = patterns.filter((p) => !p.deny);
  const denies = patterns.filter((p) => p.deny);
  return {
    allows: (backend: string, name: string) => allows.some((p) => p.server.test(backend) && p.item.test(name)) && !denies.some((p) => p.server.test(backend) && p.item.test(name)),
    reaches: (backend: string) => allows.some((p) => p.server.test(backend)) && !denies.some((p) => p.whole && p.server.test(backend)),
  };
}

/**
 * The caller's policy: deny by default. An item — a tool (`allow`), a prompt (`prompts`), a
 * resource or template (`resources`) — is allowed when a matching rule's patterns of its kind allow
 * it and no matching rule's pattern of that kind denies it (`!server.name` wins over any allow).
 * Each kind is decided by its own patterns alone: allowing a tool exposes no prompt or resource.
 */
export function policyFor(rules: GatewayRules, caller: CallerFacts): Policy {
  const matching = rules.rules.filter((rule) => matches(rule, caller));
  const kinds = Object.fromEntries(
    (Object.keys(FIELD) as ItemKind[]).map((kind) => [kind, decider(matching.flatMap((rule) => patternsOf(rule)[kind]))]),
  ) as Record<ItemKind, ReturnType<typeof decider>>;
  // A matching rule without `scopes` narrows nothing; otherwise the union of the rules' lists caps the token's.
  const narrowing = matching.length === 0 || matching.some((rule) => rule.scopes === undefined) ? undefined : new Set(matching.flatMap((rule) => rule.scopes!));
  const scopes = narrowing === undefined ? caller.scopes : caller.scopes.filter((s) => narrowing.has(s));
  return {
    allows: (backend, tool) => kinds.tools.allows(backend, tool),
    allowsItem: (kind, backend, name) => kinds[kind].allows(backend, name),
    reaches: (backend, kind = "tools") => kinds[kind].reaches(backend),
    scopes: Object.freeze([...scopes]),
    permits: (needed) => narrowing === undefined || needed.every((s) => narrowing.has(s)),
    matchesAny: matching.length > 0,
    matched: matching.map((rule) => rule.name ?? `#${rules.rules.indexOf(rule)}`),
    signature: matching.map((rule) => rules.rules.indexOf(rule)).join(","),
  };
}
