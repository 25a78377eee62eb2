import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { writePrivateFile } from "@edge-mcp/config/private-file";

/** A machine-to-machine client of the local tenant: client id = its ecosystem.json key. */
export interface DevMachineClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

const ClientsFileSchema = z.object({ clients: z.record(z.string(), z.string().min(32)) });

/**
 * Secrets of the ecosystem's machine clients in the local tenant, kept (like the signing key)
 * in a git-ignored 0600 file so they survive restarts; a client new to the config gets one.
 */
export function loadOrCreateMachineClients(file: string, keys: readonly string[]): DevMachineClient[] {
  const known = existsSync(file) ? ClientsFileSchema.safeParse(JSON.parse(readFileSync(file, "utf8"))) : undefined;
  if (known !== undefined && !known.success) throw new Error(`${file} is not a clients file written by dev-auth; delete it to create new secrets.`);
  const secrets: Record<string, string> = { ...(known?.data.clients ?? {}) };
  let changed = false;
  for (const key of keys) {
    if (secrets[key] !== undefined) continue;
    secrets[key] = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
    changed = true;
  }
  if (changed) writePrivateFile(file, JSON.stringify({ clients: secrets }, null, 2));
  return keys.map((key) => ({ clientId: key, clientSecret: secrets[key]! }));
}
