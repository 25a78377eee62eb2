/**
 * `npm run conformance`: the official MCP conformance suite (0.2.0-alpha.12) against this worker
 * under `wrangler dev`, for both protocol eras:
 *   1. `--requirements 2026-07-28` and `--requirements 2025-11-25` with auth disabled (the suite
 *      sends no Authorization header);
 *   2. both again with auth ON, through a loopback proxy that adds a real RS256 bearer token
 *      (minted with a key generated for this run, JWKS served on loopback) — so every scenario
 *      also passes the auth gate in both eras.
 * Exits non-zero on any failing check: there is no baseline (every scenario of both requirement
 * sets passes, the tasks extension's included).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { binOf, freePort, startWranglerDev, type WranglerDev } from "@edge-mcp/dev";
import { startAuthProxy } from "./auth-proxy.ts";

const workerDir = fileURLToPath(new URL("..", import.meta.url));
const REQUEST_STATE_KEY = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
const REQUIREMENTS = ["2026-07-28", "2025-11-25"] as const;

async function startWorker(vars: Record<string, string>, port: number): Promise<WranglerDev> {
  const wrangler = startWranglerDev({ cwd: workerDir, port, inspectorPort: await freePort(), vars: { ENVIRONMENT: "development", MCP_REQUEST_STATE_KEY: REQUEST_STATE_KEY, ...vars } });
  await wrangler.ready();
  return wrangler;
}

/** One suite run: exits non-zero when any check fails. */
async function runSuite(url: string, requirements: string): Promise<number> {
  console.log(`\nconformance: --requirements ${requirements} against ${url}`);
  const suite = spawn(
    process.execPath,
    [binOf("@modelcontextprotocol/conformance", "conformance", workerDir), "server", "--url", url, "--requirements", requirements],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  suite.stdout?.on("data", (d: Buffer) => process.stdout.write(String(d).replace(/^Total: (\d+) passed, (\d+) failed$/m, `Checks (${requirements}): $1 passed, $2 failed`)));
  return new Promise<number>((resolve) => suite.on("exit", (code) => resolve(code ?? 1)));
}

const failures: string[] = [];
const workers: WranglerDev[] = [];
const stops: Array<() => Promise<void>> = [];
try {
  const open = await freePort();
  const base = `http://localhost:${open}`;
  console.log(`conformance: starting wrangler dev on ${base} (auth disabled) …`);
  workers.push(await startWorker({ AUTH_DISABLED: "true", MCP_RESOURCE: `${base}/mcp`, AUTH_AUDIENCES: `${base}/mcp` }, open));
  for (const requirements of REQUIREMENTS) if ((await runSuite(`${base}/mcp`, requirements)) !== 0) failures.push(`${requirements} (auth disabled)`);

  const proxy = await startAuthProxy();
  stops.push(proxy.stop);
  const secured = await freePort();
  console.log(`\nconformance: starting wrangler dev on port ${secured} with auth ON, behind a credential-adding proxy at ${proxy.url}`);
  workers.push(await startWorker({ MCP_RESOURCE: `${proxy.url}/mcp`, AUTH_AUDIENCES: `${proxy.url}/mcp`, AUTH_ISSUER: proxy.issuer, AUTH_JWKS_URI: proxy.jwksUri }, secured));
  proxy.forwardTo(`http://localhost:${secured}`);
  for (const requirements of REQUIREMENTS) if ((await runSuite(`${proxy.url}/mcp`, requirements)) !== 0) failures.push(`${requirements} (auth on)`);
  console.log(`\nconformance: the proxy authenticated ${proxy.authorized()} request(s) as a real client; the worker verified each`);
} catch (error) {
  failures.push(error instanceof Error ? error.message : String(error));
} finally {
  await Promise.all(workers.map((w) => w.stop()));
  await Promise.all(stops.map((s) => s()));
}
console.log(failures.length === 0 ? "conformance: OK — both eras, auth off and on, every check passed" : `conformance: FAILED — ${failures.join(", ")}`);
process.exit(failures.length === 0 ? 0 : 1);
