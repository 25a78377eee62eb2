/**
 * The provisioner CLI. `npm run provision` = plan + apply everything.
 *
 *   plan | apply | provision [--only server:<slug>|client:<key>] [--allow-delete] [--yes]
 *   verify-tenant
 *   routes                       render workers/<slug>/wrangler.toml and check hostnames
 *   new <slug>                   scaffold a worker from the template
 *
 * Every command takes --dir <repo>, --json, --dry-run (no writes at all) and --verbose.
 */
import { createInterface } from "node:readline/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { ProvisionError } from "./errors.ts";
import { runProvision } from "./provision.ts";
import { runRoutes } from "./routes.ts";
import { runVerifyTenant } from "./run-verify-tenant.ts";
import { scaffoldWorker } from "./scaffold.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dir: { type: "string" },
    json: { type: "boolean", default: false },
    "dry-run": { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
    yes: { type: "boolean", default: false },
    "allow-delete": { type: "boolean", default: false },
    only: { type: "string" },
  },
});
const root = resolve(values.dir ?? fileURLToPath(new URL("../../..", import.meta.url)));
const [command = "provision", ...args] = positionals;
const log = (line: string) => {
  if (!values.json) console.log(line);
};

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question(`${question} Type "yes" to continue: `);
  rl.close();
  return answer.trim() === "yes";
}

async function main(): Promise<void> {
  switch (command) {
    case "plan":
    case "apply":
    case "provision": {
      const result = await runProvision({
        root,
        mode: command === "plan" ? "plan" : "apply",
        dryRun: values["dry-run"],
        allowDelete: values["allow-delete"],
        yes: values.yes,
        confirm,
        ...(values.only === undefined ? {} : { only: values.only }),
        log: values.verbose ? log : (line) => (line.startsWith("  ✓") || line.startsWith("Reading") || line.startsWith("Applying") ? log(line) : undefined),
      });
      if (values.json) {
        console.log(JSON.stringify({ command, dryRun: values["dry-run"], summary: result.summary, changes: result.plan.changes, applied: result.applied, envKeysWritten: result.envKeysWritten, managementCalls: result.managementCalls, writeCalls: result.writeCalls }, null, 2));
        return;
      }
      console.log(result.text);
      if (command !== "plan" && !values["dry-run"]) {
        console.log(`\nApplied ${result.applied} change(s) with ${result.managementCalls} Management API call(s) (${result.writeCalls} writes).`);
        if (result.envKeysWritten.length > 0) console.log(`Wrote ${result.envKeysWritten.join(", ")} to the managed block of .env (values not shown).`);
        if (result.summary.orphaned > 0) console.log("Orphaned objects were left in place; re-run with --allow-delete to remove them.");
      }
      return;
    }
    case "verify-tenant": {
      const checks = await runVerifyTenant({ root });
      if (values.json) console.log(JSON.stringify({ checks }, null, 2));
      else for (const c of checks) console.log(`${c.ok ? "✓" : "✗"} ${c.name} — ${c.detail}${c.fix === undefined ? "" : `\n    fix: ${c.fix}`}`);
      if (checks.some((c) => !c.ok)) process.exitCode = 1;
      return;
    }
    case "routes": {
      const result = await runRoutes({ root, dryRun: values["dry-run"] });
      if (values.json) console.log(JSON.stringify(result, null, 2));
      else for (const r of result.workers) console.log(`${r.written ? "wrote" : values["dry-run"] ? "would write" : "unchanged"} workers/${r.slug}/wrangler.toml  →  ${r.host} (${r.hostStatus})`);
      return;
    }
    case "new": {
      const slug = args[0];
      if (slug === undefined) throw new ProvisionError("config_invalid", "usage: new <slug>");
      const files = scaffoldWorker(root, slug, { dryRun: values["dry-run"] });
      if (values.json) console.log(JSON.stringify({ slug, files }, null, 2));
      else console.log(`${values["dry-run"] ? "Would create" : "Created"} workers/${slug}:\n${files.map((f: string) => `  ${f}`).join("\n")}\nNext: npm install, then npm run dev.`);
      return;
    }
    default:
      throw new ProvisionError("config_invalid", `Unknown command "${command}". Commands: plan, apply, provision, verify-tenant, routes, new <slug>.`);
  }
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  if (values.json) console.log(JSON.stringify({ error: { code: (error as ProvisionError).code ?? "unexpected", message } }));
  else console.error(`provision: ${message}`);
  process.exitCode = 1;
});
