/**
 * What the provisioner itself created or adopted, per tenant: `provision-state.json` at the
 * repository root (commit it, as the record of what edge-mcp owns; it holds no secrets). Auth0
 * APIs carry no metadata and any application can be marked `managed_by: edge-mcp` by whoever
 * may edit applications, so neither a matching identifier nor the marker alone makes an object
 * ours to delete or to hand credentials to:
 * - an API is deleted only if its identifier is recorded here;
 * - each client key is pinned to the application id first adopted or created, so another
 *   application marked later with the same key is a conflict, never a silent pick.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writePrivateFile } from "@edge-mcp/config/private-file";
import { z } from "zod";
import { ProvisionError } from "./errors.ts";

const TenantStateSchema = z.strictObject({
  /** Identifiers of the APIs this tool created or manages. */
  apis: z.array(z.string()).default([]),
  /** Client key → the Auth0 application id it is pinned to. */
  clients: z.record(z.string(), z.string()).default({}),
  /** CIMD document URL → the Auth0 client registered for it by this tool. */
  cimd: z.record(z.string(), z.string()).default({}),
});
const StateSchema = z.strictObject({
  $comment: z.string().optional(),
  tenants: z.record(z.string(), TenantStateSchema).default({}),
});

export type TenantState = z.output<typeof TenantStateSchema>;
type State = z.output<typeof StateSchema>;

export const STATE_FILE = "provision-state.json";
const COMMENT = "Written by npm run provision: the Auth0 objects edge-mcp owns, per tenant. Commit it; do not edit by hand (remove a client pin only to accept an application you recreated yourself).";

function read(root: string): State {
  const file = join(root, STATE_FILE);
  if (!existsSync(file)) return { tenants: {} };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new ProvisionError("config_invalid", `${file} is not valid JSON; restore it from version control.`);
  }
  const parsed = StateSchema.safeParse(json);
  if (!parsed.success) throw new ProvisionError("config_invalid", `${file} is not a provision state file (${parsed.error.issues[0]?.message ?? "invalid"}); restore it from version control.`);
  return parsed.data;
}

/** The recorded state of one tenant (empty for a tenant never provisioned from this repository). */
export function readTenantState(root: string, tenant: string): TenantState {
  return read(root).tenants[tenant] ?? { apis: [], clients: {}, cimd: {} };
}

/** Records one tenant's state (keeping other tenants'), sorted, atomically. Returns whether it changed. */
export function writeTenantState(root: string, tenant: string, state: TenantState): boolean {
  const all = read(root);
  const next: TenantState = {
    apis: [...new Set(state.apis)].sort(),
    clients: Object.fromEntries(Object.entries(state.clients).sort(([a], [b]) => a.localeCompare(b))),
    cimd: Object.fromEntries(Object.entries(state.cimd).sort(([a], [b]) => a.localeCompare(b))),
  };
  if (JSON.stringify(all.tenants[tenant]) === JSON.stringify(next)) return false;
  const tenants = { ...all.tenants, [tenant]: next };
  writePrivateFile(join(root, STATE_FILE), `${JSON.stringify({ $comment: COMMENT, tenants }, null, 2)}\n`);
  return true;
}
