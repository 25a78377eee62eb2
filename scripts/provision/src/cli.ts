/**
 * The provisioner CLI. `npm run provision` = plan + apply everything.
 *
 *   plan | apply | provision [--only server:<slug>|client:<key>] [--allow-delete] [--yes]
 *   verify-tenant                report each tenant prerequisite with its fix
 *   tenant dcr enable|disable    flip dynamic client registration, then apply
 *   add-scope <slug> <scope> [--description "…"]   then apply that server
 *   grant <slug> <client|group> [scopes…]          then apply that server
 *   teardown <slug> | teardown --all               delete owned APIs (and apps) — asks first
 *   routes                       render workers/<slug>/wrangler.toml and check hostnames
 *   deploy                       check hostnames, then wrangler deploy every worker (--dry-run: bundle sizes)
 *   new <slug>                   scaffold a worker from the template
 *
 * Every command takes --dir <repo>, --json, --dry-run (no writes at all), --verbose, and
 * --rate <requests/s> (Management API throttle; default 2, the free-tenant sustained rate).
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
import { addScope, setDcr, setGrant } from "./config-edits.ts";
import { runDeploy } from "./deploy.ts";

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
    all: { type: "boolean", default: false },
    rate: { type: "string" },
    description: { type: "string" },
  },
});
const root = resolve(values.dir ?? fileURLToPath(new URL("../../..", import.meta.url)));
const [command = "provision", ...args] = positionals;
const rate = values.rate === undefined ? undefined : Number(values.rate);
if (rate !== undefined && !(rate >= 0)) throw new Error("--rate takes requests per second (0 = unthrottled)");
const connection = { root, ...(rate === undefined ? {} : { requestsPerSecond: rate }) };
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
  let only = values.only;
  let teardown: string[] | "all" | undefined;
  let effective = command;
  switch (command) {
    case "tenant": {
      if (args[0] !== "dcr" || (args[1] !== "enable" && args[1] !== "disable")) throw new ProvisionError("config_invalid", "usage: tenant dcr enable|disable");
      if (!values["dry-run"]) setDcr(root, args[1] === "enable");
      effective = "provision";
      break;
    }
    case "add-scope": {
      const [slug, scope] = args;
      if (slug === undefined || scope === undefined) throw new ProvisionError("config_invalid", "usage: add-scope <slug> <scope> [--description \"…\"]");
      if (!values["dry-run"]) addScope(root, slug, scope, values.description ?? scope);
      only = `server:${slug}`;
      effective = "provision";
      break;
    }
    case "grant": {
      const [slug, client, ...scopes] = args;
      if (slug === undefined || client === undefined) throw new ProvisionError("config_invalid", "usage: grant <slug> <client|group> [scopes…]");
      if (!values["dry-run"]) setGrant(root, slug, client, scopes.length > 0 ? scopes : ["tools.read"]);
      only = `server:${slug}`;
      effective = "provision";
      break;
    }
    case "teardown": {
      teardown = values.all ? "all" : args.length > 0 ? args : undefined;
      if (teardown === undefined) throw new ProvisionError("config_invalid", "usage: teardown <slug>… | teardown --all");
      effective = "provision";
      break;
    }
  }
  switch (effective) {
    case "plan":
    case "apply":
    case "provision": {
      const result = await runProvision({
        ...connection,
        mode: effective === "plan" ? "plan" : "apply",
        ...(teardown === undefined ? {} : { teardown }),
        dryRun: values["dry-run"],
        allowDelete: values["allow-delete"],
        yes: values.yes,
        confirm,
        ...(only === undefined ? {} : { only }),
        log: values.verbose ? log : (line) => (line.startsWith("  ✓") || line.startsWith("Reading") || line.startsWith("Applying") ? log(line) : undefined),
      });
      if (values.json) {
        console.log(JSON.stringify({ command: effective, dryRun: values["dry-run"], summary: result.summary, changes: result.plan.changes, applied: result.applied, envKeysWritten: result.envKeysWritten, managementCalls: result.managementCalls, writeCalls: result.writeCalls }, null, 2));
        return;
      }
      console.log(result.text);
      if (effective !== "plan" && !values["dry-run"]) {
        console.log(`\nApplied ${result.applied} change(s) with ${result.managementCalls} Management API call(s) (${result.writeCalls} writes).`);
        if (result.envKeysWritten.length > 0) console.log(`Wrote ${result.envKeysWritten.join(", ")} to the managed block of .env (values not shown).`);
        if (result.summary.orphaned > 0) console.log("Orphaned objects were left in place; re-run with --allow-delete to remove them.");
      }
      return;
    }
    case "verify-tenant": {
      const checks = await runVerifyTenant(connection);
      if (values.json) console.log(JSON.stringify({ checks }, null, 2));
      else for (const c of checks) console.log(`${c.ok ? "✓" : "✗"} ${c.name} — ${c.detail}${c.fix === undefined ? "" : `\n    fix: ${c.fix}`}`);
      if (checks.some((c) => !c.ok)) process.exitCode = 1;
      return;
    }
    case "routes": {
      const result = await runRoutes({ ...connection, dryRun: values["dry-run"] });
      if (values.json) console.log(JSON.stringify(result, null, 2));
      else for (const r of result.workers) console.log(`${r.written ? "wrote" : values["dry-run"] ? "would write" : "unchanged"} workers/${r.slug}/wrangler.toml  →  ${r.host} (${r.hostStatus})`);
      return;
    }
    case "deploy": {
      const result = await runDeploy({ root, dryRun: values["dry-run"], log });
      if (values.json) console.log(JSON.stringify(result, null, 2));
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
      throw new ProvisionError("config_invalid", `Unknown command "${command}". Commands: plan, apply, provision, verify-tenant, tenant dcr enable|disable, add-scope, grant, teardown, routes, deploy, new <slug>.`);
  }
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  if (values.json) console.log(JSON.stringify({ error: { code: (error as ProvisionError).code ?? "unexpected", message } }));
  else console.error(`provision: ${message}`);
  process.exitCode = 1;
});
