import type { ManagementClient } from "auth0";
import { PROVISION_DEFAULTS } from "./defaults.ts";

type Obj = Record<string, unknown>;

export interface CurrentState {
  tenant: Obj;
  resourceServers: Obj[];
  clients: Obj[];
  grants: Obj[];
  /** Only read when the config names domain-level connections. */
  connections: Obj[];
  /** Enabled Rules; only read by verify-tenant when CIMD clients are configured (they cannot sign in while Rules run). */
  rules?: Obj[];
}

async function all<T>(page: Promise<AsyncIterable<T>>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of await page) out.push(item);
  return out;
}

/**
 * Everything the plan needs, in as few calls as Auth0 allows: offset pages of 100 for APIs and
 * applications, checkpoint pages of 100 for client grants, one tenant read. A no-op run over
 * 50 servers × 5 clients stays within 10 Management API calls.
 */
export async function readCurrentState(mgmt: ManagementClient, options: { connections?: boolean; rules?: boolean } = {}): Promise<CurrentState> {
  const perPage = PROVISION_DEFAULTS.pageSize;
  const tenant = (await mgmt.tenants.settings.get()) as unknown as Obj;
  const resourceServers = await all(mgmt.resourceServers.list({ per_page: perPage, include_totals: true }) as unknown as Promise<AsyncIterable<Obj>>);
  const clients = await all(mgmt.clients.list({ per_page: perPage, include_totals: true }) as unknown as Promise<AsyncIterable<Obj>>);
  const grants = await all(mgmt.clientGrants.list({ take: perPage }) as unknown as Promise<AsyncIterable<Obj>>);
  const connections = options.connections ? await all(mgmt.connections.list({ take: perPage }) as unknown as Promise<AsyncIterable<Obj>>) : [];
  const rules = options.rules ? (await all(mgmt.rules.list({ per_page: perPage, include_totals: true }) as unknown as Promise<AsyncIterable<Obj>>)).filter((r) => r.enabled !== false) : undefined;
  return { tenant, resourceServers, clients, grants, connections, ...(rules === undefined ? {} : { rules }) };
}
