/**
 * `npm run conformance`: starts this worker under `wrangler dev` with auth disabled (the
 * official suite sends no Authorization header; auth is tested separately), waits for
 * /health, runs every server scenario of @modelcontextprotocol/conformance ("all" suite,
 * active + pending) against it, checks failures against expected-failures.yml, stops
 * wrangler, and exits with the suite's code.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@edge-mcp/testing/ports";

/** A package's bin script, found like Node finds packages (its exports may hide the path). */
function binOf(pkg: string, name: string): string {
  for (let dir = workerDir; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "node_modules", pkg, "package.json");
    if (existsSync(manifest)) {
      const bin = (JSON.parse(readFileSync(manifest, "utf8")) as { bin: string | Record<string, string> }).bin;
      return join(dirname(manifest), typeof bin === "string" ? bin : bin[name]!);
    }
  }
  throw new Error(`${pkg} is not installed; run npm install`);
}

const workerDir = fileURLToPath(new URL("..", import.meta.url));
const STARTUP_TIMEOUT_MS = 90_000;

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early with code ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the worker did not become healthy at ${url} within ${STARTUP_TIMEOUT_MS / 1000} s`);
}

const port = await freePort();
const inspectorPort = await freePort();
const base = `http://localhost:${port}`;
const wrangler = spawn(
  process.execPath,
  [
    binOf("wrangler", "wrangler"),
    "dev",
    "--port", String(port),
    "--ip", "127.0.0.1",
    "--inspector-port", String(inspectorPort),
    "--show-interactive-dev-session=false",
    "--log-level", "warn",
    "--var", "AUTH_DISABLED:true",
    "--var", `MCP_RESOURCE:${base}/mcp`,
    "--var", `AUTH_AUDIENCES:${base}/mcp`,
  ],
  { cwd: workerDir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
);
let wranglerOutput = "";
wrangler.stdout?.on("data", (d) => (wranglerOutput += String(d)));
wrangler.stderr?.on("data", (d) => (wranglerOutput += String(d)));

let exitCode = 1;
try {
  console.log(`conformance: starting wrangler dev on ${base} (auth disabled) …`);
  await waitForHealth(`${base}/health`, wrangler);
  console.log("conformance: worker healthy; running every server scenario (suite: all)\n");
  const suite = spawn(
    process.execPath,
    [
      binOf("@modelcontextprotocol/conformance", "conformance"),
      "server",
      "--url", `${base}/mcp`,
      "--suite", "all",
      "--expected-failures", `${workerDir}/expected-failures.yml`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  // The suite's "Total: N passed, M failed" counts baseline failures too; say which they are.
  suite.stdout?.on("data", (d: Buffer) => process.stdout.write(String(d).replace(/^Total: (\d+) passed, (\d+) failed$/m, "Checks: $1 passed; $2 failing checks, see the baseline verdict below")));
  exitCode = await new Promise<number>((resolve) => suite.on("exit", (code) => resolve(code ?? 1)));
  console.log(exitCode === 0 ? "conformance: OK — every failure is in expected-failures.yml" : "conformance: FAILED — see above");
} catch (error) {
  console.error(`conformance: ${error instanceof Error ? error.message : String(error)}`);
  console.error(wranglerOutput.slice(-4000));
} finally {
  wrangler.kill("SIGTERM");
}
process.exit(exitCode);
