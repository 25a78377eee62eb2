/**
 * Builds the console page's assets into public/ (served as Workers static assets): the script
 * bundled with Chart.js by esbuild, and the stylesheet. Run by `npm test`, and by wrangler
 * (`[build] command`) before `wrangler dev` and `wrangler deploy`.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "public");
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, "src", "client", "console.ts")],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2022",
  outfile: join(out, "console.js"),
  logLevel: "warning",
});
copyFileSync(join(here, "src", "client", "console.css"), join(out, "console.css"));
