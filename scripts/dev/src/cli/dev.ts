/**
 * `npm run dev [-- --only notes,hello] [--issuer-port 9400] [--port notes=8789 …] [--auth facade] [--facade-port 9410] [--console-port 9420] [--no-console] [--verbose]`:
 * the local authorization server and every worker, wired together, with a table of URLs and
 * copy-paste lines to connect clients. Every child stops with this process: on Ctrl-C, on
 * SIGTERM, when the terminal closes (SIGHUP) — and, through a reaper process, when this
 * process is killed outright.
 */
import { fileURLToPath } from "node:url";
import pkg from "../../package.json" with { type: "json" };
import { startChildReaper } from "../child-reaper.ts";
import { createCli, InvalidArgumentError, portNumber, runCli, USAGE_EXIT_CODE } from "../cli-kit.ts";
import { renderDevSummary } from "../connect-instructions.ts";
import { DevUsageError, planPorts } from "../port-plan.ts";
import { loadFleet } from "@edge-mcp/config/load";
import { recordRun, waitForPreviousRun } from "../run-record.ts";

const root = fileURLToPath(new URL("../../../..", import.meta.url));

/** `--port slug=N`, repeatable, into { slug: N }. */
function collectPort(entry: string, previous: Record<string, number>): Record<string, number> {
  const match = /^([a-z][a-z0-9-]*)=(.+)$/.exec(entry);
  if (match === null) throw new InvalidArgumentError("takes <slug>=<port>, e.g. notes=9789");
  return { ...previous, [match[1]!]: portNumber(match[2]!) };
}

function authMode(value: string): "auth0" | "facade" {
  if (value !== "auth0" && value !== "facade") throw new InvalidArgumentError('must be "auth0" or "facade"');
  return value;
}

const program = createCli({
  name: "dev",
  script: "npm run dev",
  version: pkg.version,
  description: "Run the whole platform locally: a real OAuth authorization server standing in for Auth0, and every MCP server under wrangler dev.",
  examples: ["npm run dev", "npm run dev -- --only notes,hello", "npm run dev -- --no-console", "npm run dev -- --auth facade --facade-port 9510", "npm run dev -- --issuer-port 9500 --port notes=9789"],
})
  .option("--only <slugs>", "start only these workers (comma-separated slugs)")
  .option("--issuer-port <port>", "port of the local authorization server (default: ecosystem.json dev.issuerPort)", portNumber)
  .option("--port <slug=port>", "serve one worker on another port (repeatable)", collectPort, {})
  .option("--facade-port <port>", "port of the OAuth facade with --auth facade (default: ecosystem.json dev.facadePort)", portNumber)
  .option("--auth <mode>", 'who MCP clients sign in with: "auth0" (the Auth0 stand-in, open DCR) or "facade" (the edge OAuth facade in front of it)', authMode, "auth0")
  .option("--console-port <port>", "port of the operator console (default: ecosystem.json dev.consolePort)", portNumber)
  .option("--no-console", "do not start the operator console")
  .option("--verbose", "show everything wrangler prints", false)
  .action(async (values: { only?: string; issuerPort?: number; facadePort?: number; consolePort?: number; console: boolean; port: Record<string, number>; auth: "auth0" | "facade"; verbose: boolean }) => {
    const log = (line: string) => console.log(`dev: ${line}`);
    const only = values.only?.split(",").map((s) => s.trim()).filter(Boolean);
    // Every override checked before anything starts (startDevEnvironment checks again).
    try {
      planPorts(loadFleet(root), { ...(only === undefined ? {} : { only }), ...(values.issuerPort === undefined ? {} : { issuer: values.issuerPort }), ...(values.facadePort === undefined ? {} : { facade: values.facadePort }), workers: values.port, facadeRuns: values.auth === "facade", consoleRuns: values.console, ...(values.consolePort === undefined ? {} : { console: values.consolePort }) });
    } catch (error) {
      if (error instanceof DevUsageError) program.error(error.message, { exitCode: USAGE_EXIT_CODE });
      console.error(`dev: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    }
    await waitForPreviousRun(root, log);
    const reaper = startChildReaper();
    const forget = recordRun(root, reaper.pid);
    try {
      // Loaded only once the flags are good: `--help` and usage mistakes answer without Miniflare.
      const { startDevEnvironment } = await import("../dev-environment.ts");
      const env = await startDevEnvironment({
        root,
        ...(only === undefined ? {} : { only }),
        ports: { ...(values.issuerPort === undefined ? {} : { issuer: values.issuerPort }), workers: values.port },
        reaper,
        auth: values.auth,
        ...(values.facadePort === undefined ? {} : { facadePort: values.facadePort }),
        console: values.console,
        ...(values.consolePort === undefined ? {} : { consolePort: values.consolePort }),
        log,
        onWorkerOutput: (slug, line) => {
          // Offline, wrangler cannot reach workers.cloudflare.com for Request.cf data: harmless.
          const harmless = /ENOTFOUND workers\.cloudflare\.com/.test(line);
          if (values.verbose || (!harmless && /error|✘/i.test(line))) console.log(`[${slug}] ${line}`);
        },
        onWorkerExit: (slug, how, lastOutput) => {
          const tail = lastOutput.trimEnd().split("\n").slice(-15).map((line) => `  [${slug}] ${line}`).join("\n");
          console.error(`dev: ${slug} stopped on its own (wrangler exited with ${how}); the other workers keep running. Its last output:\n${tail}\ndev: fix what it says, then stop (Ctrl-C) and run npm run dev again.`);
        },
      });
      console.log(renderDevSummary(env));
      let stopping = false;
      const shutdown = async () => {
        if (stopping) return;
        stopping = true;
        console.log("\ndev: stopping …");
        await env.stop();
        reaper.close();
        forget();
        process.exit(0);
      };
      for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void shutdown());
    } catch (error) {
      reaper.close();
      forget();
      console.error(`dev: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    }
  });

await runCli(program, "npm run dev");
