/**
 * `npm run dev [-- --only notes,hello] [--issuer-port 9400] [--port notes=8789 …] [--verbose]`:
 * the local authorization server and every worker, wired together, with a table of URLs and
 * copy-paste lines to connect clients. `--issuer-port` / `--port` override the configured ports
 * for this run (e.g. when one is taken).
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { renderDevSummary } from "../connect-instructions.ts";
import { startDevEnvironment } from "../dev-environment.ts";

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    verbose: { type: "boolean", default: false },
    "issuer-port": { type: "string" },
    port: { type: "string", multiple: true },
  },
});

function portOf(text: string, flag: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    console.error(`dev: ${flag} takes a port between 1024 and 65535, not "${text}"`);
    process.exit(1);
  }
  return port;
}
const workerPorts: Record<string, number> = {};
for (const entry of values.port ?? []) {
  const [slug, port] = entry.split("=");
  if (slug === undefined || port === undefined) {
    console.error(`dev: --port takes <slug>=<port>, not "${entry}"`);
    process.exit(1);
  }
  workerPorts[slug] = portOf(port, "--port");
}
const root = fileURLToPath(new URL("../../../..", import.meta.url));

try {
  const env = await startDevEnvironment({
    root,
    ...(values.only === undefined ? {} : { only: values.only.split(",").map((s) => s.trim()).filter(Boolean) }),
    ports: { ...(values["issuer-port"] === undefined ? {} : { issuer: portOf(values["issuer-port"], "--issuer-port") }), workers: workerPorts },
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
