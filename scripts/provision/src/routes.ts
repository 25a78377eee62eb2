import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { consoleAudience, consoleHost, CONSOLE_WORKER, facadeHost, facadeIssuer, productionResource, serverHost, serverScopes } from "@edge-mcp/config";
import { checkHostname, type CloudflareAccount, type HostnameStatus } from "./cloudflare.ts";
import type { FetchLike } from "./api-fetch.ts";
import { createCloudflareContext, type ContextOptions } from "./context.ts";
import { identifiersFor } from "./desired-state.ts";
import { ProvisionError } from "./errors.ts";
import { ensureKvNamespace, gatewayBlock, pushRules, rulesDocument } from "./gateway.ts";
import { desiredLogpushJob, reconcileLogpushJob, type LogpushResult } from "./logpush.ts";
import { FACADE_WORKER } from "@edge-mcp/dev/facade-names";
import { facadeServerBlock, renderFacadeToml } from "./render-facade.ts";
import { durableObjectClasses, historyText, loadHistory, MIGRATIONS_FILE, nextHistory } from "./migrations.ts";
import { renderWranglerToml, workerName } from "./render-wrangler.ts";
import { renderConsoleToml } from "./render-console.ts";
import { apisVars } from "./render-apis.ts";
import { serverSecrets } from "./required-secrets.ts";

export interface RoutesResult {
  /** Every rendered worker: the fleet's servers, and `oauth` (the facade) in facade mode. */
  workers: Array<{ slug: string; host: string; hostStatus: HostnameStatus; written: boolean; migration?: string }>;
  /** A gateway worker's rules namespace and rules (present when the fleet has one). */
  gateways: Array<{ slug: string; namespaceId: string | null; namespaceCreated: boolean; rules: "unchanged" | "written" | "would write" | "not pushed" }>;
  /** The audit's Logpush job (ecosystem.json operations.audit): reconciled, or why not. */
  logpush: LogpushResult | { readonly action: "not configured" | "not reconciled" };
}

/**
 * `routes`: renders every workers/<slug>/wrangler.toml from the root template (custom domain,
 * vars, Durable Objects; for a gateway, its service bindings and rules KV namespace) and checks
 * each hostname with the Cloudflare API; pushes a gateway's rules to its KV namespace (only when
 * they changed). With --dry-run nothing is written. A hostname owned by another worker stops the run before any file changes.
 */
export async function runRoutes(options: ContextOptions & { dryRun?: boolean; cloudflare?: "required" | "optional"; allowDelete?: boolean }): Promise<RoutesResult> {
  const { fleet, env, apiFetch } = createCloudflareContext(options, options.cloudflare ?? "optional");
  const templateFile = join(fleet.root, "wrangler.toml.template");
  if (!existsSync(templateFile)) throw new ProvisionError("config_invalid", `${templateFile} not found.`);
  const template = readFileSync(templateFile, "utf8");
  const account = env.CLOUDFLARE_API_TOKEN !== undefined && env.CLOUDFLARE_ACCOUNT_ID !== undefined ? { id: env.CLOUDFLARE_ACCOUNT_ID, token: env.CLOUDFLARE_API_TOKEN, apiBase: env.CLOUDFLARE_API_BASE.replace(/\/$/, "") } : undefined;
  /** Each rendered file, and a worker's migration history when it is first kept or grew a tag. */
  const rendered: Array<{ slug: string; host: string; hostStatus: HostnameStatus; file: string; text: string; migrations?: { file: string; text: string; tag?: string } }> = [];
  const gateways: RoutesResult["gateways"] = [];
  const facade = fleet.ecosystem.auth.mode === "facade";
  const issuer = facade ? facadeIssuer(env.ECOSYSTEM_BASE_DOMAIN) : `https://${env.AUTH0_DOMAIN}/`;
  for (const server of fleet.servers) {
    const m = server.manifest;
    const host = serverHost(fleet.ecosystem, m, env.ECOSYSTEM_BASE_DOMAIN);
    const hostStatus = account === undefined ? "not checked" : await checkHostname(apiFetch, account, host, workerName(m.slug));
    const gateway = server.gateway;
    let gatewayToml: string | undefined;
    if (gateway !== undefined) {
      const namespace = account !== undefined
        ? await ensureKvNamespace(apiFetch, account, `${workerName(m.slug)}-rules`, options.dryRun === true)
        : env.GATEWAY_RULES_KV_ID !== undefined
          ? { id: env.GATEWAY_RULES_KV_ID, created: false }
          : undefined;
      if (namespace === undefined) {
        throw new ProvisionError("config_invalid", `workers/${m.slug} is a gateway (gateway.json): set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID in .env (the provisioner finds or creates its rules KV namespace), or GATEWAY_RULES_KV_ID.`);
      }
      gatewayToml = gatewayBlock(gateway, namespace.id ?? "created-on-apply");
      const rules = account === undefined ? "not pushed" : await pushRules(apiFetch, account, namespace.id, rulesDocument(gateway), options.dryRun === true);
      gateways.push({ slug: m.slug, namespaceId: namespace.id ?? null, namespaceCreated: namespace.created, rules });
    }
    // The Durable Object migrations: the committed history, one tag more when the classes changed.
    const migrationsFile = join(server.dir, MIGRATIONS_FILE);
    const { history, fromFile } = loadHistory(server.dir);
    const next = nextHistory(history, durableObjectClasses(m), { file: migrationsFile, allowDelete: options.allowDelete === true });
    const apis = apisVars(m, env.ECOSYSTEM_BASE_DOMAIN, env);
    const text = renderWranglerToml(template, {
      manifest: m,
      migrations: next.history,
      secrets: serverSecrets(gateway, apis ?? { exchange: false, connect: false }),
      ...(apis === undefined ? {} : { apis: apis.toml }),
      host,
      resource: productionResource(fleet.ecosystem, m, env.ECOSYSTEM_BASE_DOMAIN),
      audiences: identifiersFor(fleet.ecosystem, m, env.ECOSYSTEM_BASE_DOMAIN),
      scopes: serverScopes(fleet.ecosystem, m).map((s) => s.value),
      issuer,
      authMode: fleet.ecosystem.auth.mode,
      ...(gatewayToml === undefined ? {} : { gateway: gatewayToml }),
      ...(facade ? { facade: facadeServerBlock() } : {}),
      metricsDataset: fleet.ecosystem.operations.metricsDataset,
      traces: { destinations: fleet.ecosystem.operations.traceDestinations, sampleRate: fleet.ecosystem.operations.traceSampleRate },
    });
    rendered.push({
      slug: m.slug,
      host,
      hostStatus,
      file: join(server.dir, "wrangler.toml"),
      text,
      ...(next.added === undefined && fromFile ? {} : { migrations: { file: migrationsFile, text: historyText(next.history), ...(next.added === undefined ? {} : { tag: next.added.tag }) } }),
    });
  }
  if (facade) {
    // The facade itself: workers/oauth on auth.{base_domain}, in front of Auth0.
    if (!existsSync(join(fleet.root, "workers", "oauth", "src"))) {
      throw new ProvisionError("config_invalid", 'auth.mode is "facade" but workers/oauth (the facade worker) is missing from this repository.');
    }
    const clientId = env.EDGE_MCP_CLIENT_OAUTH_FACADE_ID;
    if (clientId === undefined) {
      throw new ProvisionError("config_invalid", 'auth.mode is "facade" but its Auth0 application is not known yet: run `npm run provision` first (it creates the application and writes EDGE_MCP_CLIENT_OAUTH_FACADE_ID to .env).');
    }
    const host = facadeHost(env.ECOSYSTEM_BASE_DOMAIN);
    const hostStatus = account === undefined ? "not checked" : await checkHostname(apiFetch, account, host, FACADE_WORKER);
    const namespace = account !== undefined
      ? await ensureKvNamespace(apiFetch, account, `${FACADE_WORKER}-kv`, options.dryRun === true)
      : env.OAUTH_KV_ID !== undefined
        ? { id: env.OAUTH_KV_ID, created: false }
        : undefined;
    if (namespace === undefined) {
      throw new ProvisionError("config_invalid", 'auth.mode is "facade": set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID in .env (the provisioner finds or creates the facade\'s KV namespace), or OAUTH_KV_ID.');
    }
    const text = renderFacadeToml({
      host,
      issuer,
      resources: fleet.servers.flatMap((server) => identifiersFor(fleet.ecosystem, server.manifest, env.ECOSYSTEM_BASE_DOMAIN)),
      scopes: [...new Set(fleet.servers.flatMap((server) => serverScopes(fleet.ecosystem, server.manifest).map((scope) => scope.value)))],
      upstreamIssuer: `https://${env.AUTH0_DOMAIN}/`,
      upstreamClientId: clientId,
      kvNamespaceId: namespace.id ?? "created-on-apply",
    });
    rendered.push({ slug: "oauth", host, hostStatus, file: join(fleet.root, "workers", "oauth", "wrangler.toml"), text });
  }
  if (fleet.ecosystem.operations.console !== undefined) rendered.push(await renderedConsole(fleet, env, account, apiFetch));
  const logpush = await auditLogpush(fleet, rendered.map((r) => r.slug), env, account, apiFetch, options.dryRun === true);
  const workers = rendered.map((r) => {
    const changed = !existsSync(r.file) || readFileSync(r.file, "utf8") !== r.text;
    if (changed && !options.dryRun) writeFileSync(r.file, r.text);
    // The history first kept (or one tag longer): committed beside mcp.json, append-only.
    if (r.migrations !== undefined && !options.dryRun) writeFileSync(r.migrations.file, r.migrations.text);
    const tag = r.migrations?.tag;
    return { slug: r.slug, host: r.host, hostStatus: r.hostStatus, written: changed && !options.dryRun, ...(tag === undefined ? {} : { migration: tag }) };
  });
  return { workers, gateways, logpush };
}

/** The operator console's production wrangler.toml (ecosystem.json operations.console): Auth0's issuer, a binding to every server, Analytics Engine as its data. */
async function renderedConsole(fleet: ReturnType<typeof createCloudflareContext>["fleet"], env: ReturnType<typeof createCloudflareContext>["env"], account: CloudflareAccount | undefined, apiFetch: FetchLike) {
  if (!existsSync(join(fleet.root, "workers", "console", "src"))) {
    throw new ProvisionError("config_invalid", "ecosystem.json operations.console is set but workers/console (the operator console) is missing from this repository.");
  }
  const clientId = env.EDGE_MCP_CLIENT_OPERATOR_CONSOLE_ID;
  if (clientId === undefined) {
    throw new ProvisionError("config_invalid", "ecosystem.json operations.console is set but its Auth0 application is not known yet: run `npm run provision` first (it creates the application and writes EDGE_MCP_CLIENT_OPERATOR_CONSOLE_ID to .env).");
  }
  const host = consoleHost(fleet.ecosystem, env.ECOSYSTEM_BASE_DOMAIN);
  const hostStatus = account === undefined ? "not checked" : await checkHostname(apiFetch, account, host, CONSOLE_WORKER);
  const text = renderConsoleToml({
    host,
    issuer: `https://${env.AUTH0_DOMAIN}/`,
    audience: consoleAudience(fleet.ecosystem, env.ECOSYSTEM_BASE_DOMAIN),
    clientId,
    servers: fleet.servers.map((s) => s.manifest.slug),
    metricsDataset: fleet.ecosystem.operations.metricsDataset,
    accountId: env.CLOUDFLARE_ACCOUNT_ID ?? "set-CLOUDFLARE_ACCOUNT_ID",
  });
  return { slug: "console", host, hostStatus, file: join(fleet.root, "workers", "console", "wrangler.toml"), text };
}

/** Durable audit: every rendered worker's trace events (its audit lines) to ecosystem.json operations.audit's destination. */
async function auditLogpush(fleet: ReturnType<typeof createCloudflareContext>["fleet"], slugs: readonly string[], env: ReturnType<typeof createCloudflareContext>["env"], account: CloudflareAccount | undefined, apiFetch: FetchLike, dryRun: boolean): Promise<RoutesResult["logpush"]> {
  const audit = fleet.ecosystem.operations.audit;
  if (audit === undefined) return { action: "not configured" };
  if (account === undefined) return { action: "not reconciled" };
  const workers = slugs.map((slug) => (slug === "oauth" ? FACADE_WORKER : slug === "console" ? CONSOLE_WORKER : workerName(slug)));
  return reconcileLogpushJob(apiFetch, account, desiredLogpushJob(audit, workers, account.id, env), dryRun);
}
