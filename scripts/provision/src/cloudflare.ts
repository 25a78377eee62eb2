import type { FetchLike } from "./api-fetch.ts";
import { ProvisionError } from "./errors.ts";

export type HostnameStatus = "free" | "ours" | "not checked";

/**
 * Checks that a custom-domain hostname is free or already attached to this worker — before a
 * deploy, because `wrangler deploy` in CI silently takes hostnames over from other workers.
 * `GET /accounts/{account}/workers/domains?hostname=…` lists `{ hostname, service, zone_id }`.
 */
export async function checkHostname(fetchImpl: FetchLike, account: { id: string; token: string; apiBase: string }, hostname: string, worker: string): Promise<HostnameStatus> {
  const url = `${account.apiBase}/accounts/${encodeURIComponent(account.id)}/workers/domains?hostname=${encodeURIComponent(hostname)}`;
  const res = await fetchImpl(url, { headers: { authorization: `Bearer ${account.token}` } });
  const body = (await res.json().catch(() => ({}))) as { success?: boolean; result?: Array<{ hostname: string; service: string }>; errors?: Array<{ message: string }> };
  if (!res.ok || body.success === false) {
    throw new ProvisionError("cloudflare_error", `Cloudflare refused the custom-domain lookup for ${hostname} (HTTP ${res.status}${body.errors?.[0] ? `: ${body.errors[0].message}` : ""}); check CLOUDFLARE_API_TOKEN (Workers Scripts:Read) and CLOUDFLARE_ACCOUNT_ID.`);
  }
  const owner = (body.result ?? []).find((d) => d.hostname === hostname);
  if (owner === undefined) return "free";
  if (owner.service === worker) return "ours";
  throw new ProvisionError("hostname_taken", `${hostname} is attached to the worker "${owner.service}", not ${worker}. Deploying would take it over: detach it in the Cloudflare dashboard, or change hostPattern in ecosystem.json.`);
}

/** The account the Cloudflare calls act on (CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN, CLOUDFLARE_API_BASE). */
export interface CloudflareAccount {
  readonly id: string;
  readonly token: string;
  readonly apiBase: string;
}

export interface Envelope<T> {
  success?: boolean;
  errors?: Array<{ code: number; message: string }>;
  result?: T;
  result_info?: { page: number; total_pages: number };
}

/** One Cloudflare API call under the account, its `{ success, errors, result }` envelope read (an unreadable body reads as {}). */
export async function cloudflareCall<T>(fetchImpl: FetchLike, account: CloudflareAccount, path: string, init: RequestInit = {}): Promise<{ status: number; body: Envelope<T> }> {
  const res = await fetchImpl(`${account.apiBase}/accounts/${encodeURIComponent(account.id)}${path}`, { ...init, headers: { authorization: `Bearer ${account.token}`, ...init.headers } });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Envelope<T> };
}

