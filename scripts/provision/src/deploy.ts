import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { bundleWorker } from "@edge-mcp/dev/bundle";
import { binOf } from "@edge-mcp/dev/wrangler-dev";
import { loadFleet, type LoadedFleet } from "@edge-mcp/config/load";
import { ProvisionError } from "./errors.ts";
import { runRoutes } from "./routes.ts";
import { createCloudflareContext } from "./context.ts";
import { checkRequiredSecrets, CONSOLE_SECRETS, FACADE_UPSTREAM_SECRET, serverSecrets } from "./required-secrets.ts";
import { CONSOLE_WORKER } from "@edge-mcp/config";
import { workerName } from "./render-wrangler.ts";
import { FACADE_WORKER } from "@edge-mcp/dev/facade-names";

export interface DeployResult {
  workers: Array<{ slug: string; kib: number; gzipKib: number; deployed: boolean }>;
}

/**
 * `deploy`: with --dry-run, bundles every worker offline and reports its size (what would be
 * uploaded). Otherwise renders routes and checks every hostname with Cloudflare first — refusing
 * to deploy without that check — then runs each worker's `wrangler deploy` through turbo.
 */
export async function runDeploy(options: { root: string; dryRun?: boolean; log?: (line: string) => void; processEnv?: NodeJS.ProcessEnv }): Promise<DeployResult> {
  const log = options.log ?? (() => {});
  const fleet = loadFleet(options.root);
  const workers = deployOrder(fleet);
  if (!options.dryRun) {
    // deploy checks that each custom hostname is free or already yours before `wrangler deploy`
    // (which would silently take it over): Cloudflare's credentials are required here.
    await runRoutes({ root: options.root, cloudflare: "required", ...(options.processEnv === undefined ? {} : { processEnv: options.processEnv }) });
    // …and that every Worker has the secrets it cannot serve without, before anything is uploaded.
    const { env, apiFetch } = createCloudflareContext({ root: options.root, ...(options.processEnv === undefined ? {} : { processEnv: options.processEnv }) }, "required");
    const account = { id: env.CLOUDFLARE_ACCOUNT_ID!, token: env.CLOUDFLARE_API_TOKEN!, apiBase: env.CLOUDFLARE_API_BASE.replace(/\/$/, "") };
    await checkRequiredSecrets(apiFetch, account, workers.map((w) => secretsOf(fleet, w.slug)));
  }
  const rows: DeployResult["workers"] = [];
  if (!options.dryRun) {
    // Every hostname checked: now `wrangler deploy` in each worker, one at a time and in order, so
    // a failure stops the run at a known worker.
    log(`deploying in this order: ${workers.map((w) => w.slug).join(", ")}`);
    for (const [i, worker] of workers.entries()) {
      log(`[${i + 1}/${workers.length}] ${worker.slug} …`);
      const result = spawnSync(process.execPath, [binOf("wrangler", "wrangler", worker.dir), "deploy"], { cwd: worker.dir, stdio: "inherit" });
      if (result.status !== 0) {
        const done = workers.slice(0, i).map((w) => w.slug);
        throw new ProvisionError("cloudflare_error", `wrangler deploy of ${worker.slug} failed (see above)${done.length === 0 ? "" : `; ${done.join(", ")} ${done.length === 1 ? "was" : "were"} deployed before it and stay deployed`}. Fix it and run npm run deploy again.`);
      }
    }
    return { workers: workers.map((w) => ({ slug: w.slug, kib: 0, gzipKib: 0, deployed: true })) };
  }
  for (const worker of workers) {
    const bundle = bundleWorker(join(worker.dir, "wrangler.toml"));
    const row = { slug: worker.slug, kib: Math.round(bundle.bytes / 102.4) / 10, gzipKib: Math.round(bundle.gzipBytes / 102.4) / 10, deployed: false };
    rows.push(row);
    log(`${row.slug.padEnd(16)} ${String(row.kib).padStart(8)} KiB   gzip ${String(row.gzipKib).padStart(7)} KiB   (dry run: not uploaded)`);
  }
  return { workers: rows };
}

/** The Worker a slug deploys as, and the secrets it cannot serve without. */
function secretsOf(fleet: LoadedFleet, slug: string) {
  if (slug === "oauth") return { slug, worker: FACADE_WORKER, required: [FACADE_UPSTREAM_SECRET] };
  if (slug === "console") return { slug, worker: CONSOLE_WORKER, required: [...CONSOLE_SECRETS] };
  return { slug, worker: workerName(slug), required: serverSecrets(fleet.servers.find((s) => s.manifest.slug === slug)?.gateway) };
}

/**
 * The order workers are deployed in: what others bind to first. The OAuth facade (facade mode:
 * every server binds `AUTH_SERVER` to it), then the servers, then gateways (a service binding to a
 * Worker that does not exist yet fails the gateway's upload), then the operator console (it binds to all).
 */
export function deployOrder(fleet: LoadedFleet): Array<{ slug: string; dir: string }> {
  const servers = fleet.servers.map((s) => ({ slug: s.manifest.slug, dir: s.dir, gateway: s.gateway !== undefined }));
  return [
    ...(fleet.ecosystem.auth.mode === "facade" ? [{ slug: "oauth", dir: join(fleet.root, "workers", "oauth") }] : []),
    ...servers.filter((s) => !s.gateway).map(({ slug, dir }) => ({ slug, dir })),
    ...servers.filter((s) => s.gateway).map(({ slug, dir }) => ({ slug, dir })),
    ...(fleet.ecosystem.operations.console === undefined ? [] : [{ slug: "console", dir: join(fleet.root, "workers", "console") }]),
  ];
}
