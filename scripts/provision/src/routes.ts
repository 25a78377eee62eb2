import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { productionResource, serverHost, serverScopes } from "@edge-mcp/config";
import { checkHostname, type HostnameStatus } from "./cloudflare.ts";
import { createContext, type ContextOptions } from "./context.ts";
import { identifiersFor } from "./desired-state.ts";
import { ProvisionError } from "./errors.ts";
import { renderWranglerToml, workerName } from "./render-wrangler.ts";

export interface RoutesResult {
  workers: Array<{ slug: string; host: string; hostStatus: HostnameStatus; written: boolean }>;
}

/**
 * `routes`: renders every workers/<slug>/wrangler.toml from the root template (custom domain,
 * vars, Durable Objects) and checks each hostname with the Cloudflare API. With --dry-run
 * nothing is written. A hostname owned by another worker stops the run before any file changes.
 */
export async function runRoutes(options: ContextOptions & { dryRun?: boolean }): Promise<RoutesResult> {
  const { fleet, env, apiFetch } = createContext(options);
  const templateFile = join(fleet.root, "wrangler.toml.template");
  if (!existsSync(templateFile)) throw new ProvisionError("config_invalid", `${templateFile} not found.`);
  const template = readFileSync(templateFile, "utf8");
  const account = env.CLOUDFLARE_API_TOKEN !== undefined && env.CLOUDFLARE_ACCOUNT_ID !== undefined ? { id: env.CLOUDFLARE_ACCOUNT_ID, token: env.CLOUDFLARE_API_TOKEN, apiBase: env.CLOUDFLARE_API_BASE.replace(/\/$/, "") } : undefined;
  const rendered = [];
  for (const server of fleet.servers) {
    const m = server.manifest;
    const host = serverHost(fleet.ecosystem, m, env.ECOSYSTEM_BASE_DOMAIN);
    const hostStatus = account === undefined ? "not checked" : await checkHostname(apiFetch, account, host, workerName(m.slug));
    const text = renderWranglerToml(template, {
      manifest: m,
      host,
      resource: productionResource(fleet.ecosystem, m, env.ECOSYSTEM_BASE_DOMAIN),
      audiences: identifiersFor(fleet.ecosystem, m, env.ECOSYSTEM_BASE_DOMAIN),
      scopes: serverScopes(fleet.ecosystem, m).map((s) => s.value),
      issuer: `https://${env.AUTH0_DOMAIN}/`,
    });
    rendered.push({ slug: m.slug, host, hostStatus, file: join(server.dir, "wrangler.toml"), text });
  }
  const workers = rendered.map((r) => {
    const changed = !existsSync(r.file) || readFileSync(r.file, "utf8") !== r.text;
    if (changed && !options.dryRun) writeFileSync(r.file, r.text);
    return { slug: r.slug, host: r.host, hostStatus: r.hostStatus, written: changed && !options.dryRun };
  });
  return { workers };
}
