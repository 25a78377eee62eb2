import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ProvisionError } from "./errors.ts";

type Json = Record<string, unknown>;

function edit(file: string, change: (json: Json) => void): void {
  const json = JSON.parse(readFileSync(file, "utf8")) as Json;
  change(json);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
}

const manifestFile = (root: string, slug: string) => join(root, "workers", slug, "mcp.json");
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** `add-scope <slug> <scope>`: adds an extra scope to the server's mcp.json (then provision applies it). */
export function addScope(root: string, slug: string, scope: string, description: string): void {
  if (!SCOPE.test(scope)) throw new ProvisionError("config_invalid", `"${scope}" is not a scope token (no spaces or quotes).`);
  edit(manifestFile(root, slug), (m) => {
    const extra = (m.extraScopes ?? []) as Array<{ value: string }>;
    if (!extra.some((s) => s.value === scope)) m.extraScopes = [...extra, { value: scope, description }];
  });
}

/** `grant <slug> <client> [scopes…]`: sets what a client (or client group) is granted on a server. */
export function setGrant(root: string, slug: string, client: string, scopes: string[]): void {
  for (const s of scopes) if (!SCOPE.test(s)) throw new ProvisionError("config_invalid", `"${s}" is not a scope token.`);
  edit(manifestFile(root, slug), (m) => {
    m.grants = { ...((m.grants ?? {}) as Json), [client]: [...new Set(scopes)] };
  });
}

/** `tenant dcr enable|disable`: flips dynamic client registration in ecosystem.json. */
export function setDcr(root: string, enabled: boolean): void {
  edit(join(root, "ecosystem.json"), (e) => {
    e.tenant = { ...((e.tenant ?? {}) as Json), dynamicClientRegistration: enabled };
  });
}
