import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { binOf } from "./wrangler-dev.ts";

export interface Bundle {
  /** The ES module workerd loads. */
  main: string;
  /** Raw and gzip size of everything that would be uploaded (source maps excluded), in bytes. */
  bytes: number;
  gzipBytes: number;
}

/** `wrangler deploy --dry-run --outdir` for a wrangler config: exactly what would be uploaded; works offline. */
export function bundleWorker(configPath: string): Bundle {
  const outdir = mkdtempSync(join(tmpdir(), "edge-mcp-bundle-"));
  const result = spawnSync(process.execPath, [binOf("wrangler", "wrangler", dirname(configPath)), "deploy", "--dry-run", "--outdir", outdir, "--config", configPath], {
    cwd: dirname(configPath),
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (result.status !== 0) throw new Error(`wrangler deploy --dry-run failed for ${configPath}:\n${result.stderr}`);
  const files = readdirSync(outdir).filter((f) => f.endsWith(".js") || f.endsWith(".mjs") || f.endsWith(".wasm"));
  let bytes = 0;
  let gzipBytes = 0;
  for (const file of files) {
    const content = readFileSync(join(outdir, file));
    bytes += content.length;
    gzipBytes += gzipSync(content, { level: 9 }).length;
  }
  const main = files.find((f) => f.endsWith(".js") || f.endsWith(".mjs"));
  if (main === undefined) throw new Error(`wrangler dry-run wrote no module for ${configPath}`);
  return { main: join(outdir, main), bytes, gzipBytes };
}
