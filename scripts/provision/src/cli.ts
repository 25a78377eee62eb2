/**
 * The provisioner CLI (`npm run provision -- <command>`; `npm run provision` alone = plan + apply).
 * Every command answers `--help` with usage and examples, and takes --dir <repo>, --json,
 * --dry-run (no writes at all), --verbose and --rate <requests/s> (Management API throttle;
 * default 2, the free-tenant sustained rate). Usage mistakes exit 2 with one line; failures of
 * the run itself exit 1 with a message that says what to do next.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createCli, examplesText, InvalidArgumentError, runCli } from "@edge-mcp/dev/cli-kit";
import { Argument, type Command } from "commander";
import pkg from "../package.json" with { type: "json" };
import { addScope, setDcr, setGrant } from "./config-edits.ts";
import { runDeploy } from "./deploy.ts";
import { ProvisionError } from "./errors.ts";
import { ConfigError } from "@edge-mcp/config/load";
import { printProvision, runProvisionCommand, type ProvisionFlags } from "./provision-command.ts";
import { runRoutes } from "./routes.ts";
import { runVerifyTenant } from "./run-verify-tenant.ts";
import { scaffoldWorker } from "./scaffold.ts";

const SCRIPT = "npm run provision";

export interface CommonFlags {
  dir?: string;
  json: boolean;
  dryRun: boolean;
  verbose: boolean;
  rate?: number;
}

function rateOf(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError("must be requests per second, 0 or more (0 = unthrottled)");
  return n;
}

const program = createCli({
  name: "provision",
  script: SCRIPT,
  version: pkg.version,
  description: "Reconcile Auth0 (tenant settings, one API per server, scopes, applications, grants) and Cloudflare routes with ecosystem.json and workers/*/mcp.json. Without a command: plan, then apply.",
  examples: ["npm run provision -- plan", "npm run provision -- --dry-run", "npm run provision -- --allow-delete --yes", "npm run provision -- new weather"],
});

/** The options every command takes, and its examples. */
function command(name: string, description: string, examples: readonly string[], options: { isDefault?: boolean } = {}): Command {
  return program
    .command(name, options)
    .description(description)
    .option("--dir <path>", "the repository (holds ecosystem.json and workers/)")
    .option("--json", "machine-readable output on stdout", false)
    .option("--dry-run", "show what would change; make no writes at all", false)
    .option("--verbose", "print every step", false)
    .option("--rate <requests/s>", "Management API throttle (default 2; 0 = unthrottled)", rateOf)
    .addHelpText("after", examplesText(examples));
}

const rootOf = (flags: CommonFlags) => resolve(flags.dir ?? fileURLToPath(new URL("../../..", import.meta.url)));
const connectionOf = (flags: CommonFlags) => ({ root: rootOf(flags), ...(flags.rate === undefined ? {} : { requestsPerSecond: flags.rate }) });
const reconcile = (mode: "plan" | "apply", flags: ProvisionFlags & CommonFlags, extra: Partial<Parameters<typeof runProvisionCommand>[0]> = {}) =>
  runProvisionCommand({ ...connectionOf(flags), mode, flags, ...extra }).then((result) => printProvision(result, mode, flags));

const reconcileOptions = (c: Command) =>
  c
    .option("--only <object>", "reconcile only server:<slug> or client:<key> (and its grants)")
    .option("--allow-delete", "delete owned objects that left the configuration (asks first)", false)
    .option("--yes", "confirm deletions without asking", false);

reconcileOptions(command("provision", "plan, then make Auth0 match the configuration", ["npm run provision", "npm run provision -- --only server:notes"], { isDefault: true }))
  // A mistyped command lands here (the default command): name it instead of "too many arguments".
  .argument("[command]")
  .action((unknown: string | undefined, flags: ProvisionFlags & CommonFlags) => {
    if (unknown !== undefined) {
      const known = program.commands.map((c) => c.name()).filter((n) => n !== "help");
      program.error(`Unknown command "${unknown}"; commands: ${known.join(", ")}`, { exitCode: 2 });
    }
    return reconcile("apply", flags);
  });
reconcileOptions(command("apply", "the same as provision", ["npm run provision -- apply --yes"])).action((flags) => reconcile("apply", flags));
reconcileOptions(command("plan", "show what provision would change (reads only)", ["npm run provision -- plan", "npm run provision -- plan --json"])).action((flags) => reconcile("plan", flags));

command("verify-tenant", "report each tenant prerequisite, with its fix", ["npm run provision -- verify-tenant"]).action(async (flags: CommonFlags) => {
  const checks = await runVerifyTenant(connectionOf(flags));
  if (flags.json) console.log(JSON.stringify({ checks }, null, 2));
  else for (const c of checks) console.log(`${c.ok ? "✓" : "✗"} ${c.name} — ${c.detail}${c.fix === undefined ? "" : `\n    fix: ${c.fix}`}`);
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
});

command("tenant", "switch a tenant setting in ecosystem.json, then apply: tenant dcr enable|disable", ["npm run provision -- tenant dcr disable"])
  .addArgument(new Argument("<setting>", "the setting").choices(["dcr"]))
  .addArgument(new Argument("<state>", "enable or disable").choices(["enable", "disable"]))
  .option("--allow-delete", "remove the third-party default grants DCR no longer needs", false)
  .option("--yes", "confirm deletions without asking", false)
  .action(async (_setting: string, state: string, flags: ProvisionFlags & CommonFlags) => {
    if (!flags.dryRun) setDcr(rootOf(flags), state === "enable");
    await reconcile("apply", flags);
  });

command("add-scope", "add a scope to a server's mcp.json, then apply that server", ['npm run provision -- add-scope notes notes.export --description "Export notes"'])
  .argument("<slug>", "the server")
  .argument("<scope>", "the scope token")
  .option("--description <text>", "what the scope allows (shown on consent screens)")
  .action(async (slug: string, scope: string, flags: CommonFlags & { description?: string }) => {
    if (!flags.dryRun) addScope(rootOf(flags), slug, scope, flags.description ?? scope);
    await reconcile("apply", { ...flags, only: `server:${slug}` });
  });

command("grant", "grant a client or client group scopes on a server (mcp.json), then apply that server", ["npm run provision -- grant notes ides tools.read tools.write"])
  .argument("<slug>", "the server")
  .argument("<client>", "an ecosystem.json client or client group")
  .argument("[scopes...]", "the scopes (default tools.read)")
  .action(async (slug: string, client: string, scopes: string[], flags: CommonFlags) => {
    if (!flags.dryRun) setGrant(rootOf(flags), slug, client, scopes.length > 0 ? scopes : ["tools.read"]);
    await reconcile("apply", { ...flags, only: `server:${slug}` });
  });

command("teardown", "delete servers' owned APIs and grants (or, with --all, everything edge-mcp owns) — asks first", ["npm run provision -- teardown weather", "npm run provision -- teardown --all --yes"])
  .argument("[slugs...]", "the servers")
  .option("--all", "every object edge-mcp owns", false)
  .option("--yes", "confirm without asking", false)
  .action(async (slugs: string[], flags: CommonFlags & { all: boolean; yes: boolean }) => {
    if (!flags.all && slugs.length === 0) program.error("teardown: name the servers (teardown <slug>…) or pass --all", { exitCode: 2 });
    await reconcile("apply", flags, { teardown: flags.all ? "all" : slugs });
  });

command("routes", "render workers/<slug>/wrangler.toml (Durable Object migrations appended to workers/<slug>/migrations.json), check each hostname with Cloudflare, push a gateway's rules to KV", ["npm run provision -- routes --dry-run", "npm run provision -- routes", "npm run provision -- routes --allow-delete"])
  .option("--allow-delete", "let a Durable Object class the config no longer binds be deleted (with its objects' data)", false)
  .action(async (flags: CommonFlags & { allowDelete: boolean }) => {
  const result = await runRoutes({ ...connectionOf(flags), dryRun: flags.dryRun, allowDelete: flags.allowDelete });
  if (flags.json) console.log(JSON.stringify(result, null, 2));
  else {
    for (const r of result.workers) {
      const migration = r.migration === undefined ? "" : `; Durable Object migration ${r.migration} ${flags.dryRun ? "would be added" : "added"} (workers/${r.slug}/migrations.json: commit it)`;
      console.log(`${r.written ? "wrote" : flags.dryRun ? "would write" : "unchanged"} workers/${r.slug}/wrangler.toml  →  ${r.host} (${r.hostStatus})${migration}`);
    }
    for (const g of result.gateways) {
      const namespace = g.namespaceId === null ? "would create its rules KV namespace" : `rules KV namespace ${g.namespaceId}${g.namespaceCreated ? " (created)" : ""}`;
      const rules = g.rules === "not pushed" ? "rules not pushed: set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID" : `rules ${g.rules}`;
      console.log(`gateway ${g.slug}: ${namespace}; ${rules}`);
    }
    const l = result.logpush;
    const unreconciled = "audit Logpush job not reconciled: set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID in .env";
    if (l.action === "not reconciled") console.log(unreconciled);
    else if ("job" in l) console.log(`audit Logpush job ${l.job}: ${l.action}${l.id === null ? "" : ` (id ${l.id})`}  →  ${l.destination}`);
  }
});

command("deploy", "check every hostname, then wrangler deploy each worker (--dry-run: bundle sizes, offline)", ["npm run deploy", "npm run deploy -- --dry-run"]).action(async (flags: CommonFlags) => {
  const result = await runDeploy({ root: rootOf(flags), dryRun: flags.dryRun, log: (line) => (flags.json ? undefined : console.log(line)) });
  if (flags.json) console.log(JSON.stringify(result, null, 2));
});

command("new", "scaffold a worker from the template", ["npm run provision -- new weather"])
  .argument("<slug>", "lowercase letters, digits and dashes")
  .action((slug: string, flags: CommonFlags) => {
    const files = scaffoldWorker(rootOf(flags), slug, { dryRun: flags.dryRun });
    if (flags.json) console.log(JSON.stringify({ slug, files }, null, 2));
    else console.log(`${flags.dryRun ? "Would create" : "Created"} workers/${slug}:\n${files.map((f: string) => `  ${f}`).join("\n")}\nNext: npm install, then npm run dev.`);
  });

const json = process.argv.includes("--json");
runCli(program, SCRIPT).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ProvisionError ? error.code : error instanceof ConfigError ? "config_invalid" : "unexpected";
  if (json) console.log(JSON.stringify({ error: { code, message } }));
  else console.error(`provision: ${message}`);
  process.exitCode = 1;
});
