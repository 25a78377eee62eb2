import { execFile } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { CloudflareFake } from "./fakes/cloudflare-fake.ts";
import { BASE_DOMAIN, setup } from "./helpers.ts";

const exec = promisify(execFile);
const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const template = fileURLToPath(new URL("../../../wrangler.toml.template", import.meta.url));
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

async function cliSetup() {
  const s = await setup();
  const cf = new CloudflareFake();
  const origin = await cf.start();
  stops.push(() => s.fake.stop(), () => cf.stop());
  copyFileSync(template, join(s.root, "wrangler.toml.template"));
  const env = { ...process.env, ...s.processEnv, CLOUDFLARE_API_TOKEN: cf.token, CLOUDFLARE_ACCOUNT_ID: cf.accountId, CLOUDFLARE_API_BASE: `${origin}/client/v4` };
  const run = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await exec(process.execPath, [cli, ...args, "--dir", s.root, "--rate", "0"], { env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  return { ...s, cf, run };
}

describe("the provision CLI", () => {
  it("--dry-run --json prints the plan as JSON and makes zero writes", async () => {
    const { fake, run } = await cliSetup();
    const { code, stdout } = await run("provision", "--dry-run", "--json");
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as { summary: object; changes: unknown[]; writeCalls: number };
    expect(json.summary).toEqual({ create: 9, update: 1, delete: 0, orphaned: 0 });
    expect(json.writeCalls).toBe(0);
    expect(fake.writes).toBe(0);
  });

  it("applies, then a plan shows no changes; output never contains a secret", async () => {
    const { fake, run } = await cliSetup();
    const applied = await run("provision");
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("Plan: 9 to create, 1 to update, 0 to delete, 0 orphaned.");
    expect(applied.stdout).toMatch(/Applied 10 change\(s\) with \d+ Management API call\(s\) \(10 writes\)\./);
    expect(applied.stdout).toContain("EDGE_MCP_CLIENT_CI_BOT_SECRET");
    const bot = [...fake.clients.values()].find((c) => c.name === "CI bot")!;
    expect(applied.stdout + applied.stderr).not.toContain(String(bot.client_secret));
    expect(applied.stdout + applied.stderr).not.toContain(fake.mgmtClientSecret);
    const plan = await run("plan");
    expect(plan.stdout).toContain("No changes. Auth0 matches the configuration.");
  });

  it("add-scope and grant edit mcp.json and apply only that server", async () => {
    const { fake, run, root } = await cliSetup();
    await run("provision");
    const added = await run("add-scope", "notes", "notes.export", "--description", "Export notes");
    expect(added.code).toBe(0);
    expect(JSON.parse(readFileSync(join(root, "workers/notes/mcp.json"), "utf8")).extraScopes).toEqual([{ value: "notes.export", description: "Export notes" }]);
    const notes = [...fake.resourceServers.values()].find((r) => String(r.identifier).startsWith("https://notes-mcp"))!;
    expect((notes.scopes as Array<{ value: string }>).map((s) => s.value)).toContain("notes.export");
    await run("grant", "notes", "ci-bot", "tools.read", "notes.export");
    const grant = [...fake.grants.values()].find((g) => g.subject_type === "client")!;
    expect(grant.scope).toEqual(["notes.export", "tools.read"]);
  });

  it("tenant dcr disable flips the flag (keeping other flags) and drops the third-party default grants only with --allow-delete", async () => {
    const { fake, run } = await cliSetup();
    await run("provision");
    const out = await run("tenant", "dcr", "disable");
    expect(out.code).toBe(0);
    expect(fake.tenant.flags).toEqual({ enable_dynamic_client_registration: false, some_other_flag: true });
    expect(out.stdout).toContain("orphaned");
  });

  it("teardown refuses without --yes when not interactive, then deletes the server's API and grants", async () => {
    const { fake, run } = await cliSetup();
    await run("provision");
    const refused = await run("teardown", "notes");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Re-run with --yes to confirm (nothing was changed)");
    expect(fake.resourceServers.size).toBe(2);
    const done = await run("teardown", "notes", "--yes");
    expect(done.stderr).toBe("");
    expect(done.code).toBe(0);
    expect([...fake.resourceServers.values()].map((r) => r.identifier)).toEqual([`https://hello-mcp.${BASE_DOMAIN}/mcp`]);
  });

  it("routes renders wrangler.toml and checks hostnames; verify-tenant exits 1 until provisioned", async () => {
    const { run, root } = await cliSetup();
    expect((await run("verify-tenant")).code).toBe(1);
    const routes = await run("routes");
    expect(routes.stdout).toContain(`wrote workers/notes/wrangler.toml  →  notes-mcp.${BASE_DOMAIN} (free)`);
    expect(readFileSync(join(root, "workers/notes/wrangler.toml"), "utf8")).toContain("custom_domain = true");
    await run("provision");
    const verified = await run("verify-tenant");
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain("✓ Resource Parameter Compatibility Profile");
  });

  it("explains an unknown command and a bad --only", async () => {
    const { run } = await cliSetup();
    expect((await run("frobnicate")).stderr).toContain('Unknown command "frobnicate"');
    expect((await run("frobnicate")).code).toBe(2);
    expect((await run("plan", "--only", "server:nope")).stderr).toContain("--only server:nope: no workers/nope/mcp.json");
  });
});
