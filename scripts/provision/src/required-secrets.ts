import type { GatewayConfig } from "@edge-mcp/config";
import type { FetchLike } from "./api-fetch.ts";
import { ProvisionError } from "./errors.ts";
import type { CloudflareAccount } from "./gateway.ts";

/**
 * The Worker secrets a worker cannot serve without, declared in its rendered wrangler.toml
 * (`[secrets] required`, which `wrangler deploy` enforces) and checked by `npm run deploy` before
 * anything is uploaded — so a missing one fails the deploy, not a user's first call hours later.
 * `npm run dev` generates local values for them (scripts/dev).
 */
export const REQUEST_STATE_SECRET = "MCP_REQUEST_STATE_KEY";
export const FACADE_UPSTREAM_SECRET = "UPSTREAM_CLIENT_SECRET";
/** The operator console's: its Auth0 application's secret, the key its sessions are sealed with, and an Analytics Engine read token. */
export const CONSOLE_SECRETS = Object.freeze(["CONSOLE_CLIENT_SECRET", "CONSOLE_SESSION_KEY", "CF_API_TOKEN"]);

/** The secrets of a server's clients for acting as the user: its exchanging client's, and its connect flow's (third-party APIs). */
export const EXCHANGE_CLIENT_SECRET = "MCP_EXCHANGE_CLIENT_SECRET";
export const CONNECT_CLIENT_SECRET = "MCP_CONNECT_CLIENT_SECRET";

/** A server's: the MRTR requestState key (every server), a gateway's remote backends' credentials, its apis' client secrets. */
export function serverSecrets(gateway: GatewayConfig | undefined, apis: { readonly exchange: boolean; readonly connect: boolean } = { exchange: false, connect: false }): string[] {
  const remotes = Object.values(gateway?.backends ?? {}).flatMap((b) => ("credentialSecret" in b && b.credentialSecret !== undefined ? [b.credentialSecret] : []));
  return [...new Set([REQUEST_STATE_SECRET, ...remotes, ...(apis.exchange ? [EXCHANGE_CLIENT_SECRET] : []), ...(apis.connect ? [CONNECT_CLIENT_SECRET] : [])])];
}

/** The `[secrets]` block of a rendered wrangler.toml. */
export function secretsBlock(names: readonly string[]): string {
  return `\n# Worker secrets it needs: wrangler deploy refuses to deploy without them (set each with wrangler secret put NAME).\n[secrets]\nrequired = [${names.map((n) => `"${n}"`).join(", ")}]\n`;
}

export interface WorkerSecrets {
  readonly slug: string;
  /** The Worker's name on Cloudflare. */
  readonly worker: string;
  readonly required: readonly string[];
}

/**
 * Which required secrets each Worker lacks on Cloudflare (`GET /accounts/{id}/workers/scripts/{name}/secrets`,
 * names only; a Worker not deployed yet has none). Throws a `secrets_missing` ProvisionError that
 * names every one and how to set it, before anything is uploaded.
 */
export async function checkRequiredSecrets(fetchImpl: FetchLike, account: CloudflareAccount, workers: readonly WorkerSecrets[]): Promise<void> {
  const missing: string[] = [];
  for (const w of workers) {
    const res = await fetchImpl(`${account.apiBase}/accounts/${encodeURIComponent(account.id)}/workers/scripts/${encodeURIComponent(w.worker)}/secrets`, { headers: { authorization: `Bearer ${account.token}` } });
    const body = (await res.json().catch(() => ({}))) as { success?: boolean; result?: Array<{ name: string }>; errors?: Array<{ message: string }> };
    if (res.status !== 200 && res.status !== 404) {
      throw new ProvisionError("cloudflare_error", `Cloudflare refused listing ${w.worker}'s secrets (HTTP ${res.status}${body.errors?.[0] ? `: ${body.errors[0].message}` : ""}); check that CLOUDFLARE_API_TOKEN has Workers Scripts:Read.`);
    }
    const set = new Set(res.status === 404 ? [] : (body.result ?? []).map((s) => s.name));
    const lacking = w.required.filter((name) => !set.has(name));
    if (lacking.length === 0) continue;
    missing.push(
      res.status === 404
        ? `  ${w.slug} (not deployed yet): ${lacking.join(", ")} — deploy it once with them: cd workers/${w.slug} && npx wrangler deploy --secrets-file <file with NAME=value lines>`
        : `  ${w.slug}: ${lacking.map((name) => `cd workers/${w.slug} && npx wrangler secret put ${name}`).join("; ")}`,
    );
  }
  if (missing.length > 0) {
    throw new ProvisionError("secrets_missing", `Required Worker secrets are not set (nothing was deployed):\n${missing.join("\n")}\n${REQUEST_STATE_SECRET} is a random string of 32+ characters (e.g. openssl rand -base64 48).`);
  }
}
