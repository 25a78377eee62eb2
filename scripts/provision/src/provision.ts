import { join } from "node:path";
import { applyPlan, type ApplyResult } from "./apply.ts";
import { createContext, type ContextOptions } from "./context.ts";
import { readCurrentState } from "./current-state.ts";
import { identifiersFor, type DesiredState } from "./desired-state.ts";
import { clientEnvNames, writeManagedEnv } from "./env-file.ts";
import { ProvisionError } from "./errors.ts";
import { readTenantState, writeTenantState } from "./provision-state.ts";
import { computePlan, type Change, type Plan } from "./plan.ts";
import { renderPlan, summarize } from "./render-plan.ts";

export interface ProvisionOptions extends ContextOptions {
  mode: "plan" | "apply";
  dryRun?: boolean;
  allowDelete?: boolean;
  /** `server:<slug>` or `client:<key>`: reconcile only that object and its grants. */
  only?: string;
  /** Remove these servers' APIs and grants (`teardown <slug>`), or every owned object (`"all"`). */
  teardown?: readonly string[] | "all";
  /** Asked before deletions when `yes` is not set; must resolve true to go on. */
  confirm?: (question: string) => Promise<boolean>;
  yes?: boolean;
  log?: (line: string) => void;
  /** Called after each applied change: n of N and what it was (for a progress line). */
  onProgress?: (done: number, total: number, label: string) => void;
}

export interface ProvisionResult {
  plan: Plan;
  text: string;
  summary: ReturnType<typeof summarize>;
  applied: number;
  /** Names written to the .env block — never the values. */
  envKeysWritten: string[];
  managementCalls: number;
  writeCalls: number;
}

type Removable = Extract<Change, { action: "delete" | "orphan" }>;

/**
 * `--only` and `teardown` narrow a run: what is desired (the object and what its grants need),
 * and which owned objects may be removed.
 * Matching existing objects always uses full ownership, so nothing outside the scope is re-created.
 */
function scoped(all: DesiredState, options: ProvisionOptions, serverIdentifiers: Map<string, string[]>): { desired: DesiredState; removable: (c: Removable) => boolean } {
  const { only, teardown } = options;
  if (teardown === "all") return { desired: { ...all, resourceServers: [], clients: [], grants: [], tokenVaultConnections: [] }, removable: () => true };
  if (teardown !== undefined) {
    for (const slug of teardown) if (!serverIdentifiers.has(slug)) throw new ProvisionError("config_invalid", `teardown ${slug}: no workers/${slug}/mcp.json; known: ${[...serverIdentifiers.keys()].join(", ")}.`);
    const gone = teardown.flatMap((slug) => serverIdentifiers.get(slug)!);
    return {
      desired: { ...all, resourceServers: all.resourceServers.filter((r) => !gone.includes(r.identifier)), grants: all.grants.filter((g) => !gone.includes(g.audience)) },
      removable: (c) => c.audience !== undefined && gone.includes(c.audience),
    };
  }
  if (only === undefined) return { desired: all, removable: () => true };
  const [kind, key] = only.split(":") as [string, string | undefined];
  if (kind === "server" && key !== undefined) {
    const ids = serverIdentifiers.get(key);
    if (ids === undefined) throw new ProvisionError("config_invalid", `--only server:${key}: no workers/${key}/mcp.json; known: ${[...serverIdentifiers.keys()].join(", ")}.`);
    const grants = all.grants.filter((g) => ids.includes(g.audience));
    return {
      // The server, its grants, and the applications those grants name (they must exist first).
      desired: { ...all, clients: all.clients.filter((c) => grants.some((g) => g.client === c.key)), resourceServers: all.resourceServers.filter((r) => r.slug === key), grants },
      removable: (c) => c.type !== "client" && c.audience !== undefined && ids.includes(c.audience),
    };
  }
  if (kind === "client" && key !== undefined) {
    if (!all.clients.some((c) => c.key === key)) throw new ProvisionError("config_invalid", `--only client:${key}: no such client in ecosystem.json.`);
    return { desired: { ...all, grants: all.grants.filter((g) => g.client === key) }, removable: (c) => c.clientKey === key };
  }
  throw new ProvisionError("config_invalid", `--only takes server:<slug> or client:<key>, not "${only}".`);
}

/**
 * plan / apply: load the desired state, read Auth0, print the plan, and (apply, not dry-run)
 * make Auth0 match. A second run after success plans no changes and makes no write calls.
 */
export async function runProvision(options: ProvisionOptions): Promise<ProvisionResult> {
  const log = options.log ?? (() => {});
  const { fleet, env, desired: all, mgmt, counters } = createContext(options);
  const baseDomain = env.ECOSYSTEM_BASE_DOMAIN;
  const manifests = fleet.servers.map((s) => s.manifest);
  const serverIdentifiers = new Map(manifests.map((m) => [m.slug, identifiersFor(fleet.ecosystem, m, baseDomain)]));
  const { desired, removable } = scoped(all, options, serverIdentifiers);

  log(`Reading Auth0 tenant ${env.AUTH0_DOMAIN} …`);
  const current = await readCurrentState(mgmt, { connections: desired.domainConnections.length > 0 || desired.tokenVaultConnections.length > 0 });
  const state = readTenantState(fleet.root, env.AUTH0_DOMAIN);
  const full = computePlan(desired, current, { state, allowDelete: (options.allowDelete ?? false) || options.teardown !== undefined });
  // Objects outside an --only / teardown scope are not this run's business: not even shown as orphans.
  const plan: Plan = { ...full, changes: full.changes.filter((c) => (c.action === "delete" || c.action === "orphan" ? removable(c) : true)) };
  const heading = `edge-mcp provision — Auth0 ${env.AUTH0_DOMAIN}, ${manifests.length} server(s), base domain ${baseDomain}${options.dryRun ? " (dry run: no changes will be made)" : ""}`;
  const text = renderPlan(plan, heading);
  const summary = summarize(plan);
  const result = (applied: number, envKeysWritten: string[]): ProvisionResult => ({
    plan, text, summary, applied, envKeysWritten, managementCalls: counters.managementCalls, writeCalls: counters.writeCalls,
  });
  if (options.mode === "plan" || options.dryRun) return result(0, []);
  const configuredKeys = new Set(all.clients.map((c) => c.key));
  // What this run leaves edge-mcp owning: recorded APIs and client pins (provision-state.json).
  const record = (created: ApplyResult["created"], deleted: Change[], cimd: ApplyResult["cimd"] = {}) => {
    const existing = new Set(current.resourceServers.map((r) => String(r.identifier)));
    const gone = new Set(deleted.filter((c) => c.type === "resource_server").map((c) => (c as { audience?: string }).audience));
    const goneClients = new Set(deleted.filter((c) => c.type === "client").map((c) => (c as { clientKey?: string }).clientKey));
    const apis = [...state.apis, ...desired.resourceServers.map((r) => r.identifier)].filter((i) => !gone.has(i) && (existing.has(i) || plan.changes.some((c) => c.type === "resource_server" && c.action === "create" && c.key === i)));
    const pins = { ...state.clients, ...plan.clientIds, ...Object.fromEntries(Object.entries(created).map(([k, v]) => [k, v.clientId])) };
    const goneCimd = new Set(deleted.filter((c) => c.type === "cimd_client").map((c) => c.key));
    const cimdPins = Object.fromEntries(Object.entries({ ...state.cimd, ...cimd }).filter(([url]) => !goneCimd.has(url)));
    const clientPins = Object.fromEntries(Object.entries(pins).filter(([k]) => !goneClients.has(k) && !k.startsWith("cimd:")));
    writeTenantState(fleet.root, env.AUTH0_DOMAIN, { apis, clients: clientPins, cimd: cimdPins });
  };
  if (plan.changes.every((c) => c.action === "orphan")) {
    record({}, []);
    return result(0, []);
  }
  if (summary.delete > 0 && !options.yes) {
    const ok = (await options.confirm?.(`Delete ${summary.delete} object(s) from Auth0?`)) ?? false;
    if (!ok) throw new ProvisionError("confirmation_required", `The plan deletes ${summary.delete} object(s). Re-run with --yes to confirm (nothing was changed).`);
  }
  log("Applying …");
  const applied: ApplyResult = await applyPlan(mgmt, plan, log, options.onProgress);
  record(applied.created, plan.changes.filter((c) => c.action === "delete"), applied.cimd);
  // .env entries only for client keys in the config, matched exactly: a marked application's own key never names a variable.
  const values: Record<string, string> = {};
  for (const [key, id] of Object.entries({ ...plan.clientIds, ...Object.fromEntries(Object.entries(applied.created).map(([k, v]) => [k, v.clientId])) })) {
    if (configuredKeys.has(key)) values[clientEnvNames(key).id] = id;
  }
  for (const [key, created] of Object.entries(applied.created)) {
    if (created.clientSecret !== undefined && configuredKeys.has(key)) values[clientEnvNames(key).secret] = created.clientSecret;
  }
  const envKeysWritten = Object.keys(values).length > 0 ? writeManagedEnv(join(fleet.root, ".env"), values) : [];
  return result(applied.applied, envKeysWritten);
}
