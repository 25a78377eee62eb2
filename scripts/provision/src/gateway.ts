import { GATEWAY_RULES_BINDING as RULES_BINDING, GATEWAY_RULES_KEY as RULES_KEY, gatewayServiceBindings, GatewayRulesSchema, type GatewayConfig } from "@edge-mcp/config";
import type { FetchLike } from "./api-fetch.ts";
import { ProvisionError } from "./errors.ts";
import { cloudflareCall as call, type CloudflareAccount, type Envelope } from "./cloudflare.ts";

export type { CloudflareAccount };

/** Cloudflare's page size for listing KV namespaces (its maximum is 100). */
const NAMESPACES_PER_PAGE = 100;

/** The document the gateway reads from KV: rules and aliases only (backends are bindings, fixed at deploy). */
export function rulesDocument(config: GatewayConfig): string {
  return JSON.stringify(GatewayRulesSchema.parse({ rules: config.rules, aliases: config.aliases }));
}

/**
 * The gateway's wrangler.toml block: one service binding per fleet backend, to its `McpBackend`
 * entrypoint (RPC; not reachable from the internet), and the rules KV namespace. The gateway.json
 * was checked against the fleet when it was loaded (`loadFleet`): no binding to a stranger.
 */
export function gatewayBlock(config: GatewayConfig, namespaceId: string): string {
  const services = gatewayServiceBindings(config).map((b) => `\n[[services]]\nbinding = "${b.binding}"\nservice = "${b.service}"\nentrypoint = "${b.entrypoint}"\n`);
  return `${services.join("")}\n[[kv_namespaces]]\nbinding = "${RULES_BINDING}"\nid = "${namespaceId}"\n`;
}

function refused(what: string, status: number, body: Envelope<unknown>): ProvisionError {
  return new ProvisionError("cloudflare_error", `Cloudflare refused ${what} (HTTP ${status}${body.errors?.[0] ? `: ${body.errors[0].message}` : ""}); check that CLOUDFLARE_API_TOKEN has Workers KV Storage:Edit on CLOUDFLARE_ACCOUNT_ID.`);
}

/**
 * A KV namespace by title (a gateway's rules, the OAuth facade's store), created when missing —
 * unless `dryRun`, which makes no writes.
 */
export async function ensureKvNamespace(fetchImpl: FetchLike, account: CloudflareAccount, title: string, dryRun: boolean): Promise<{ id: string | undefined; created: boolean }> {
  for (let page = 1; ; page++) {
    const { status, body } = await call<Array<{ id: string; title: string }>>(fetchImpl, account, `/storage/kv/namespaces?per_page=${NAMESPACES_PER_PAGE}&page=${page}`);
    if (status !== 200 || body.success === false) throw refused("the KV namespace listing", status, body);
    const found = (body.result ?? []).find((ns) => ns.title === title);
    if (found !== undefined) return { id: found.id, created: false };
    if ((body.result ?? []).length === 0 || (body.result_info?.total_pages ?? page) <= page) break;
  }
  if (dryRun) return { id: undefined, created: false };
  const { status, body } = await call<{ id: string }>(fetchImpl, account, "/storage/kv/namespaces", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title }) });
  if (status !== 200 || body.result?.id === undefined) throw refused(`creating the KV namespace "${title}"`, status, body);
  return { id: body.result.id, created: true };
}

/** Writes the rules document to KV when it differs from what is there: a re-run makes 0 writes. */
export async function pushRules(fetchImpl: FetchLike, account: CloudflareAccount, namespaceId: string | undefined, document: string, dryRun: boolean): Promise<"unchanged" | "written" | "would write"> {
  const path = `/storage/kv/namespaces/${encodeURIComponent(namespaceId ?? "")}/values/${RULES_KEY}`;
  if (namespaceId !== undefined) {
    const res = await fetchImpl(`${account.apiBase}/accounts/${encodeURIComponent(account.id)}${path}`, { headers: { authorization: `Bearer ${account.token}` } });
    if (res.status === 200 && (await res.text()) === document) return "unchanged";
    if (res.status !== 200 && res.status !== 404) throw refused("reading the gateway rules", res.status, (await res.json().catch(() => ({}))) as Envelope<unknown>);
  }
  if (dryRun) return "would write";
  const { status, body } = await call<unknown>(fetchImpl, account, path, { method: "PUT", headers: { "content-type": "text/plain" }, body: document });
  if (status !== 200 || body.success === false) throw refused("writing the gateway rules", status, body);
  return "written";
}
