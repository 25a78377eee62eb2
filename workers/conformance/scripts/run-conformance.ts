/**
 * `npm run conformance`: starts this worker under `wrangler dev` with auth disabled (the
 * official suite sends no Authorization header; auth is tested separately), waits for
 * /health, runs every server scenario of @modelcontextprotocol/conformance ("all" suite,
 * active + pending) against it, checks failures against expected-failures.yml, stops
 * wrangler, and exits with the suite's code.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { binOf, freePort, startWranglerDev } from "@edge-mcp/dev";

const workerDir = fileURLToPath(new URL("..", import.meta.url));
const port = await freePort();
const base = `http://localhost:${port}`;
const wrangler = startWranglerDev({
  cwd: workerDir,
  port,
  inspectorPort: await freePort(),
  vars: { AUTH_DISABLED: "true", ENVIRONMENT: "development", MCP_RESOURCE: `${base}/mcp`, AUTH_AUDIENCES: `${base}/mcp` },
});

let exitCode = 1;
try {
  console.log(`conformance: starting wrangler dev on ${base} (auth disabled) …`);
  await wrangler.ready();
  console.log("conformance: worker healthy; running every server scenario (suite: all)\n");
  const suite = spawn(
    process.execPath,
    [
      binOf("@modelcontextprotocol/conformance", "conformance", workerDir),
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
} finally {
  await wrangler.stop();
}
process.exit(exitCode);
