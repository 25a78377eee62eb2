import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { binOf, bundleWorker } from "@edge-mcp/dev";
import { loadFleet } from "@edge-mcp/config/load";
import { ProvisionError } from "./errors.ts";
import { readProvisionEnv } from "./env.ts";
import { runRoutes } from "./routes.ts";

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
  // The fleet's servers, and the OAuth facade when clients sign in through it.
  const workers = [
    ...fleet.servers.map((s) => ({ slug: s.manifest.slug, dir: s.dir })),
    ...(fleet.ecosystem.auth.mode === "facade" ? [{ slug: "oauth", dir: join(options.root, "workers", "oauth") }] : []),
  ];
  if (!options.dryRun) {
    const env = readProvisionEnv(options.root, options.processEnv);
    if (env.CLOUDFLARE_API_TOKEN === undefined || env.CLOUDFLARE_ACCOUNT_ID === undefined) {
      throw new ProvisionError("env_invalid", "deploy checks that each custom hostname is free or already yours before `wrangler deploy` (which would silently take it over): set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID. `--dry-run` needs neither.");
    }
    await runRoutes({ root: options.root, ...(options.processEnv === undefined ? {} : { processEnv: options.processEnv }) });
  }
  const rows: DeployResult["workers"] = [];
  if (!options.dryRun) {
    // Every hostname checked: now `wrangler deploy` in each worker, via turbo, one at a time so a
    // failure stops the run at a known worker.
    log(`deploying ${workers.map((w) => w.slug).join(", ")} …`);
    const result = spawnSync(process.execPath, [binOf("turbo", "turbo", options.root), "run", "deploy", "--concurrency=1", ...workers.map((w) => `--filter=./workers/${w.slug}`)], { cwd: options.root, stdio: "inherit" });
    if (result.status !== 0) throw new ProvisionError("cloudflare_error", "wrangler deploy failed (see above); workers deployed before the failure stay deployed. Fix it and run npm run deploy again.");
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
