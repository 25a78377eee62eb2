/**
 * `npm run dev [-- --only notes,hello]`: the local authorization server and every worker,
 * wired together, with a table of URLs and copy-paste lines to connect clients.
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { renderDevSummary } from "../connect-instructions.ts";
import { startDevEnvironment } from "../dev-environment.ts";

const { values } = parseArgs({ options: { only: { type: "string" }, verbose: { type: "boolean", default: false } } });
const root = fileURLToPath(new URL("../../../..", import.meta.url));

try {
  const env = await startDevEnvironment({
    root,
    ...(values.only === undefined ? {} : { only: values.only.split(",").map((s) => s.trim()).filter(Boolean) }),
    log: (line) => console.log(`dev: ${line}`),
    onWorkerOutput: (slug, line) => {
      // Offline, wrangler cannot reach workers.cloudflare.com for Request.cf data: harmless.
      const harmless = /ENOTFOUND workers\.cloudflare\.com/.test(line);
      if (values.verbose || (!harmless && /error|✘/i.test(line))) console.log(`[${slug}] ${line}`);
    },
  });
  console.log(renderDevSummary(env));
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\ndev: stopping …");
    await env.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
} catch (error) {
  console.error(`dev: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
