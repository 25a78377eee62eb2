/**
 * Which Auth0 applications are edge-mcp's. The `managed_by` marker in `client_metadata` is only
 * a claim — anyone who may create or edit applications can write it — so an application is
 * adopted only when it is also first-party, and each client key is pinned (provision-state.json)
 * to the first application adopted or created for it. Two claimants for one key stop the run.
 */
import { PROVISION_DEFAULTS } from "./defaults.ts";
import { ProvisionError } from "./errors.ts";

type Obj = Record<string, unknown>;

export const isMarkedClient = (c: Obj) => (c.client_metadata as Obj | undefined)?.[PROVISION_DEFAULTS.ownerKey] === PROVISION_DEFAULTS.ownerValue;
export const clientKeyOf = (c: Obj) => (c.client_metadata as Obj | undefined)?.[PROVISION_DEFAULTS.clientKeyMetadata] as string | undefined;

/**
 * First-party in every sense Auth0 has: `is_first_party` not false, not a CIMD / third-party
 * client id (`tpc_…`), no third-party security mode. A third-party application's secret and
 * redirect URIs belong to whoever registered it; edge-mcp never turns one into a fleet app.
 */
export function isFirstPartyClient(c: Obj): boolean {
  return c.is_first_party !== false && !String(c.client_id).startsWith("tpc_") && c.third_party_security_mode === undefined;
}

export interface OwnedClients {
  /** Client key → the application edge-mcp owns for it (pinned or adopted). */
  readonly byKey: ReadonlyMap<string, Obj>;
  /** Keys whose application is pinned in the state file (may be deleted when no longer configured). */
  readonly pinned: ReadonlySet<string>;
  /** Marked applications left alone, and why (shown with the plan). */
  readonly warnings: readonly string[];
}

const describe = (c: Obj) => `${String(c.client_id)} ("${String(c.name)}")`;

export function resolveOwnedClients(clients: readonly Obj[], pins: Readonly<Record<string, string>>): OwnedClients {
  const warnings: string[] = [];
  const conflicts: string[] = [];
  const candidates = new Map<string, Obj[]>();
  for (const client of clients.filter(isMarkedClient)) {
    const key = clientKeyOf(client);
    if (!isFirstPartyClient(client)) {
      warnings.push(`application ${describe(client)} carries the edge-mcp marker${key === undefined ? "" : ` for "${key}"`} but is third-party: never adopted (delete it if nobody on your team created it)`);
      continue;
    }
    if (key === undefined) continue;
    candidates.set(key, [...(candidates.get(key) ?? []), client]);
  }
  const byKey = new Map<string, Obj>();
  const pinned = new Set<string>();
  for (const key of new Set([...candidates.keys(), ...Object.keys(pins)])) {
    const claimants = candidates.get(key) ?? [];
    const pin = pins[key];
    const mine = pin === undefined ? undefined : claimants.find((c) => String(c.client_id) === pin);
    const others = claimants.filter((c) => c !== mine);
    if (pin !== undefined && others.length > 0) {
      conflicts.push(`"${key}" is pinned to ${pin}${mine === undefined ? " (no longer in the tenant)" : ""}, but ${others.map(describe).join(", ")} also claim${others.length === 1 ? "s" : ""} it`);
    } else if (pin === undefined && claimants.length > 1) {
      conflicts.push(`"${key}" is claimed by ${claimants.length} applications: ${claimants.map(describe).join(", ")}`);
    } else if (mine !== undefined) {
      byKey.set(key, mine);
      pinned.add(key);
    } else if (pin === undefined && claimants[0] !== undefined) {
      byKey.set(key, claimants[0]);
    }
  }
  if (conflicts.length > 0) {
    throw new ProvisionError(
      "ownership_conflict",
      `More than one Auth0 application claims an edge-mcp client key, so none is trusted (nothing was changed):\n${conflicts.map((c) => `  - ${c}`).join("\n")}\n` +
        "Delete or unmark (client_metadata.managed_by) the applications you did not create; if you recreated one yourself, remove its pin from provision-state.json.",
    );
  }
  return { byKey, pinned, warnings };
}
