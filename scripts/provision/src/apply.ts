import type { ManagementClient } from "auth0";
import { clientKeyOf, isFirstPartyClient, isMarkedClient } from "./client-ownership.ts";
import { PROVISION_DEFAULTS } from "./defaults.ts";
import { cimdKey } from "./desired-state.ts";
import type { Change, Plan } from "./plan.ts";
import { ProvisionError } from "./errors.ts";

type Obj = Record<string, unknown>;

export interface ApplyResult {
  applied: number;
  /** client key → { client_id, client_secret? } of applications created in this run. */
  created: Record<string, { clientId: string; clientSecret?: string }>;
  /** CIMD document URL → client id, for clients registered in this run. */
  cimd: Record<string, string>;
}

const ORDER: Record<Change["type"], number> = { tenant: 0, connection: 0, client: 1, cimd_client: 1, resource_server: 2, client_grant: 3 };

/**
 * Applies a plan in dependency order — tenant → applications → APIs → grants — and deletions in
 * reverse. Progress goes to `progress` (one line per change; no secrets).
 */
export async function applyPlan(
  mgmt: ManagementClient,
  plan: Plan,
  progress: (line: string) => void,
  onProgress?: (done: number, total: number, label: string) => void,
): Promise<ApplyResult> {
  const result: ApplyResult = { applied: 0, created: {}, cimd: {} };
  const clientIds = { ...plan.clientIds };
  const writes = plan.changes.filter((c) => c.action !== "orphan" && c.action !== "delete").sort((a, b) => ORDER[a.type] - ORDER[b.type]);
  const deletes = plan.changes.filter((c) => c.action === "delete").sort((a, b) => ORDER[b.type] - ORDER[a.type]);
  const ordered = [...writes, ...deletes];
  for (const change of ordered) {
    try {
      await applyChange(mgmt, change, clientIds, result);
    } catch (error) {
      if (error instanceof ProvisionError) throw error;
      const status = (error as { statusCode?: number }).statusCode;
      throw new ProvisionError("auth0_error", `Auth0 refused to ${change.action} ${change.type} ${change.key}${status === undefined ? "" : ` (HTTP ${status})`}: ${(error as Error).message}. Nothing after it was changed; fix the cause and run again — the plan will pick up where this stopped.`, { cause: error });
    }
    result.applied += 1;
    progress(`  ✓ ${change.action} ${change.type} ${change.key}`);
    onProgress?.(result.applied, ordered.length, `${change.action} ${change.type} ${change.key}`);
  }
  return result;
}

async function applyChange(mgmt: ManagementClient, change: Change, clientIds: Record<string, string>, result: ApplyResult): Promise<void> {
  if (change.action === "create") {
    switch (change.type) {
      case "client": {
        const created = await createClientSafely(mgmt, change.key, change.desired);
        clientIds[change.key] = created.clientId;
        result.created[change.key] = created;
        return;
      }
      case "cimd_client": {
        // Idempotent upsert keyed on the document URL: Auth0 fetches, validates and maps it.
        const registered = (await mgmt.clients.registerCimdClient({ external_client_id: change.key } as never)) as unknown as { client_id: string };
        clientIds[cimdKey(change.key)] = String(registered.client_id);
        result.cimd[change.key] = String(registered.client_id);
        return;
      }
      case "resource_server":
        await mgmt.resourceServers.create(change.desired as never);
        return;
      case "client_grant": {
        const { client_key, ...body } = change.desired as Obj & { client_key?: string };
        const clientId = client_key === undefined ? undefined : clientIds[client_key];
        if (client_key !== undefined && clientId === undefined) throw new ProvisionError("auth0_error", `No application for client "${client_key}".`);
        await mgmt.clientGrants.create({ ...body, ...(clientId === undefined ? {} : { client_id: clientId }) } as never);
        return;
      }
      default:
        return;
    }
  }
  if (change.action === "update") {
    switch (change.type) {
      case "tenant":
        await mgmt.tenants.settings.update(change.patch as never);
        return;
      case "connection":
        await mgmt.connections.update(change.id, change.patch as never);
        return;
      case "client":
        await mgmt.clients.update(change.id, change.patch as never);
        return;
      case "resource_server":
        await mgmt.resourceServers.update(change.id, change.patch as never);
        return;
      case "client_grant":
        await mgmt.clientGrants.update(change.id, change.patch as never);
        return;
    }
  }
  if (change.action === "delete") {
    switch (change.type) {
      case "client":
      case "cimd_client":
        await mgmt.clients.delete(change.id);
        return;
      case "resource_server":
        await mgmt.resourceServers.delete(change.id);
        return;
      case "client_grant":
        await mgmt.clientGrants.delete(change.id);
        return;
      default:
        return;
    }
  }
}

/**
 * POST /clients is not idempotent: if Auth0 answers 5xx (or the connection drops) the client may
 * exist anyway. Never retry blindly. Each create carries a random nonce in `client_metadata`;
 * after a 5xx only the first-party application carrying this request's nonce is adopted — never
 * one someone else marked — and its secret is not copied from a listing: a confidential
 * client's secret is rotated, so the only secret written anywhere is one this run received.
 */
async function createClientSafely(mgmt: ManagementClient, key: string, body: Obj): Promise<{ clientId: string; clientSecret?: string }> {
  const nonce = crypto.randomUUID();
  const metadata = { ...(body.client_metadata as Obj | undefined), [PROVISION_DEFAULTS.createNonceMetadata]: nonce };
  try {
    const created = (await mgmt.clients.create({ ...body, client_metadata: metadata } as never)) as unknown as Obj;
    return { clientId: String(created.client_id), ...(typeof created.client_secret === "string" ? { clientSecret: created.client_secret } : {}) };
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status < 500) throw error;
    for await (const client of (await mgmt.clients.list({ per_page: 100, include_totals: true })) as unknown as AsyncIterable<Obj>) {
      const ours = isMarkedClient(client) && isFirstPartyClient(client) && clientKeyOf(client) === key;
      if (!ours || (client.client_metadata as Obj)[PROVISION_DEFAULTS.createNonceMetadata] !== nonce) continue;
      const clientId = String(client.client_id);
      if (body.token_endpoint_auth_method === "none") return { clientId };
      const rotated = (await mgmt.clients.rotateSecret(clientId)) as unknown as Obj;
      return { clientId, ...(typeof rotated.client_secret === "string" ? { clientSecret: rotated.client_secret } : {}) };
    }
    throw error;
  }
}
