import { createServer, type AddressInfo } from "node:net";
import { copyFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BLOCK_BEGIN, ProvisionError, runProvision } from "../src/index.ts";
import type { Auth0Fake } from "./fakes/auth0-fake.ts";
import { BASE_DOMAIN, setup, STANDARD_FLEET, writeFleet } from "./helpers.ts";

const fakes: Auth0Fake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});
async function fresh(...args: Parameters<typeof setup>) {
  const s = await setup(...args);
  fakes.push(s.fake);
  return s;
}
const NOTES = `https://notes-mcp.${BASE_DOMAIN}/mcp`;
const HELLO = `https://hello-mcp.${BASE_DOMAIN}/mcp`;

describe("npm run provision against a fresh tenant", () => {
  it("creates tenant settings, one API per server, the applications and their grants", async () => {
    const { fake, run } = await fresh();
    const result = await run();
    expect(result.summary).toEqual({ create: 9, update: 1, delete: 0, orphaned: 0 });
    expect(fake.tenant).toMatchObject({
      resource_parameter_profile: "compatibility",
      authorization_response_iss_parameter_supported: true,
      flags: { enable_dynamic_client_registration: true, some_other_flag: true },
    });
    const apis = [...fake.resourceServers.values()];
    expect(apis.map((a) => a.identifier).sort()).toEqual([HELLO, NOTES]);
    expect(apis.find((a) => a.identifier === NOTES)).toMatchObject({
      signing_alg: "RS256",
      token_dialect: "rfc9068_profile_authz",
      subject_type_authorization: { user: { policy: "require_client_grant" }, client: { policy: "deny_all" } },
      scopes: expect.arrayContaining([{ value: "tools.write", description: "Call tools that change data" }]),
    });
    const clients = [...fake.clients.values()];
    expect(clients.map((c) => [c.name, c.app_type, c.client_metadata])).toEqual([
      ["Cursor", "native", { managed_by: "edge-mcp", edge_mcp_client: "cursor", edge_mcp_create: expect.any(String) }],
      ["CI bot", "non_interactive", { managed_by: "edge-mcp", edge_mcp_client: "ci-bot", edge_mcp_create: expect.any(String) }],
    ]);
    const grants = [...fake.grants.values()].map((g) => `${String(g.client_id ?? g.default_for)} ${String(g.audience)} ${String(g.subject_type)} ${(g.scope as string[]).join(",")}`).sort();
    const cursor = clients[0]!.client_id;
    const bot = clients[1]!.client_id;
    expect(grants).toEqual([
      `${bot} ${NOTES} client tools.read`,
      `${cursor} ${HELLO} user tools.read`,
      `${cursor} ${NOTES} user tools.read,tools.write`,
      `third_party_clients ${HELLO} user prompts.read,resources.read,tools.read`,
      `third_party_clients ${NOTES} user prompts.read,resources.read,tools.read`,
    ].sort());
  });

  it("plans nothing and makes zero write calls on a second run", async () => {
    const { fake, run } = await fresh();
    await run();
    const writesBefore = fake.writes;
    const second = await run();
    expect(second.plan.changes).toEqual([]);
    expect(second.text).toContain("No changes.");
    expect(second.writeCalls).toBe(0);
    expect(fake.writes).toBe(writesBefore);
  });

  it("makes zero write calls with --dry-run, and shows the full plan", async () => {
    const { fake, run } = await fresh();
    const result = await run({ dryRun: true });
    expect(fake.writes).toBe(0);
    expect(result.writeCalls).toBe(0);
    expect(result.text).toContain(`+ API ${NOTES}`);
    expect(result.text).toContain("~ tenant tenant settings");
    expect(result.text).toContain("~ flags.enable_dynamic_client_registration: false → true");
    expect(result.text).toMatch(/Plan: 9 to create, 1 to update, 0 to delete, 0 orphaned\.$/);
  });

  it("repairs drift: a scope removed in the Auth0 dashboard is restored", async () => {
    const { fake, run } = await fresh();
    await run();
    const notes = [...fake.resourceServers.values()].find((r) => r.identifier === NOTES)!;
    notes.scopes = (notes.scopes as Array<{ value: string }>).filter((s) => s.value !== "tools.write");
    const repair = await run();
    expect(repair.summary).toEqual({ create: 0, update: 1, delete: 0, orphaned: 0 });
    expect(repair.text).toContain("~ scopes: [prompts.read resources.read tools.read] → [prompts.read resources.read tools.read tools.write]");
    expect((notes.scopes as Array<{ value: string }>).map((s) => s.value)).toContain("tools.write");
  });

  it("adds a scope added in mcp.json to the API and to the grants that name it", async () => {
    const { fake, run, root } = await fresh();
    await run();
    writeFleet(root, { ...STANDARD_FLEET, notes: { extraScopes: [{ value: "notes.export", description: "Export notes" }], grants: { ides: ["tools.read", "tools.write", "notes.export"], "ci-bot": ["tools.read"] } } });
    const result = await run();
    expect(result.summary).toEqual({ create: 0, update: 2, delete: 0, orphaned: 0 });
    const grant = [...fake.grants.values()].find((g) => g.audience === NOTES && g.subject_type === "user" && g.client_id !== undefined)!;
    expect(grant.scope).toEqual(["notes.export", "tools.read", "tools.write"]);
  });

  it("shows a removed server's API and grants as orphaned, and deletes them only with --allow-delete", async () => {
    const { fake, run, root } = await fresh();
    await run();
    writeFleet(root, { notes: STANDARD_FLEET.notes });
    const { rmSync } = await import("node:fs");
    rmSync(join(root, "workers", "hello"), { recursive: true });
    const orphaned = await run();
    expect(orphaned.summary).toEqual({ create: 0, update: 0, delete: 0, orphaned: 3 });
    expect(orphaned.text).toContain(`? API ${HELLO}  (owned by edge-mcp, no longer configured: deleted only with --allow-delete)`);
    expect(fake.resourceServers.size).toBe(2);
    await expect(run({ allowDelete: true })).rejects.toMatchObject({ code: "confirmation_required" });
    expect(fake.resourceServers.size).toBe(2);
    const deleted = await run({ allowDelete: true, yes: true });
    expect(deleted.summary.delete).toBe(3);
    expect([...fake.resourceServers.values()].map((r) => r.identifier)).toEqual([NOTES]);
  });

  it("never touches applications it does not own (third-party / DCR clients, hand-made apps)", async () => {
    const { fake, run, root } = await fresh();
    fake.clients.set("dcr_1", { client_id: "dcr_1", name: "Claude (DCR)", is_first_party: false, client_metadata: {} });
    fake.clients.set("hand_1", { client_id: "hand_1", name: "Cursor", client_metadata: { team: "x" } });
    await run();
    writeFleet(root, STANDARD_FLEET, { clients: {} , clientGroups: {} });
    writeFleet(root, { notes: {}, hello: { scopeProfile: "readonly" } }, { clients: {}, clientGroups: {} });
    const result = await run({ allowDelete: true, yes: true });
    expect(fake.clients.has("dcr_1")).toBe(true);
    expect(fake.clients.has("hand_1")).toBe(true);
    expect(result.summary.delete).toBe(5); // our two applications and their three grants
  });
});

describe("domain-level connections", () => {
  it("promotes the connections ecosystem.json names, and names an unknown one with the known ones", async () => {
    const { fake, run } = await fresh(STANDARD_FLEET, { tenant: { domainConnections: ["google-oauth2"] } });
    const result = await run();
    expect(result.text).toContain("~ connection google-oauth2");
    expect(fake.connections.get("con_2")!.is_domain_connection).toBe(true);
    expect(fake.connections.get("con_1")!.is_domain_connection).toBe(false);
    expect((await run()).plan.changes).toEqual([]);
    const bad = await fresh(STANDARD_FLEET, { tenant: { domainConnections: ["gitlab"] } });
    await expect(bad.run()).rejects.toThrow('names "gitlab", which this tenant has no connection called; known: Username-Password-Authentication, google-oauth2, github');
  });
});

describe("failures and limits", () => {
  it("rides out a 429 storm honouring x-ratelimit-reset, with the same end state", async () => {
    const { fake, run } = await fresh();
    fake.rateLimited = 4;
    fake.resetInSeconds = 0;
    const result = await run();
    expect(result.summary.create).toBe(9);
    expect(fake.calls.filter((c) => c.status === 429)).toHaveLength(4);
    expect(fake.resourceServers.size).toBe(2);
  });

  it("does not create a duplicate application when POST /clients answers 500 after creating it", async () => {
    const { fake, run } = await fresh();
    fake.injected.push({ method: "POST", path: /\/clients$/, status: 500, times: 1, afterWrite: true });
    await run();
    expect([...fake.clients.values()].filter((c) => c.name === "Cursor")).toHaveLength(1);
    expect(fake.calls.filter((c) => c.method === "POST" && c.path.endsWith("/clients"))).toHaveLength(2); // Cursor (500) + CI bot
    expect((await run()).plan.changes).toEqual([]);
  });

  it("reports an Auth0 error with what to do next, and never the secret", async () => {
    const { fake, run, processEnv } = await fresh();
    fake.injected.push({ method: "POST", path: /\/resource-servers$/, status: 500, times: 1 });
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProvisionError);
    expect((error as Error).message).toMatch(/run again — the plan will pick up where this stopped/);
    expect((error as Error).message).not.toContain(processEnv.AUTH0_MGMT_CLIENT_SECRET);
  });

  it("names each placeholder or missing variable, never its value", async () => {
    const { run, processEnv } = await fresh();
    const error = await run({ processEnv: { ...processEnv, ECOSYSTEM_BASE_DOMAIN: "example.com", AUTH0_MGMT_CLIENT_SECRET: "__REQUIRED__" } }).catch((e: unknown) => e);
    expect((error as ProvisionError).code).toBe("env_invalid");
    expect((error as Error).message).toMatch(/^ {2}ECOSYSTEM_BASE_DOMAIN +still holds the placeholder from \.env\.example/m);
    expect((error as Error).message).toMatch(/^ {2}AUTH0_MGMT_CLIENT_SECRET +still holds the placeholder from \.env\.example/m);
  });

  it("reports a .env copied from .env.example, missing and placeholder values alike, all at once", async () => {
    const { root } = await fresh();
    copyFileSync(fileURLToPath(new URL("../../../.env.example", import.meta.url)), join(root, ".env"));
    const error = await runProvision({ root, mode: "plan", processEnv: { AUTH0_DOMAIN: "" } }).catch((e: unknown) => e);
    const message = (error as ProvisionError).message;
    expect((error as ProvisionError).code).toBe("env_invalid");
    // plan reads Auth0 only: Cloudflare's placeholders are none of its business.
    expect(message.split("\n")[0]).toBe(`4 setting(s) to fix in ${join(root, ".env")} or the environment (see .env.example):`);
    for (const name of ["ECOSYSTEM_BASE_DOMAIN", "AUTH0_DOMAIN", "AUTH0_MGMT_CLIENT_ID", "AUTH0_MGMT_CLIENT_SECRET"]) {
      expect(message).toMatch(new RegExp(`^ {2}${name} +(still holds the placeholder|is not set)`, "m"));
    }
    expect(message).not.toContain("CLOUDFLARE");
    expect(message).not.toContain("__REQUIRED__");
  });

  it("plans with Cloudflare's variables still placeholders: a command checks only what it uses", async () => {
    const { root, processEnv } = await fresh();
    const result = await runProvision({ root, mode: "plan", processEnv: { ...processEnv, CLOUDFLARE_API_TOKEN: "__REQUIRED__", CLOUDFLARE_ACCOUNT_ID: "__REQUIRED__" }, requestsPerSecond: 0 });
    expect(result.plan.changes.length).toBeGreaterThan(0);
  });

  it("names the host, the cause and what to check when the tenant cannot be reached (not a bare 'fetch failed')", async () => {
    const { run, processEnv } = await fresh();
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const error = await run({ processEnv: { ...processEnv, AUTH0_DOMAIN: `127.0.0.1:${closed}` } }).catch((e: unknown) => e);
    expect((error as ProvisionError).code).toBe("network_error");
    expect((error as Error).message).toBe(`Could not reach 127.0.0.1:${closed} (from AUTH0_DOMAIN, the tenant domain, e.g. acme.eu.auth0.com) (ECONNREFUSED): nothing listens there: check the host and port. Nothing was changed by this request.`);
  });
});

describe("secrets", () => {
  it("writes client ids and new secrets only into the managed .env block (0600), keeping user lines", async () => {
    const { fake, run, root, output } = await fresh();
    writeFileSync(join(root, ".env"), "# mine\nMY_SETTING=keep me\n");
    const result = await run();
    const env = readFileSync(join(root, ".env"), "utf8");
    const bot = [...fake.clients.values()].find((c) => c.name === "CI bot")!;
    expect(env.startsWith("# mine\nMY_SETTING=keep me\n")).toBe(true);
    expect(env).toContain(BLOCK_BEGIN);
    expect(env).toContain(`EDGE_MCP_CLIENT_CI_BOT_SECRET=${String(bot.client_secret)}`);
    expect(env).toContain(`EDGE_MCP_CLIENT_CI_BOT_ID=${String(bot.client_id)}`);
    expect(statSync(join(root, ".env")).mode & 0o777).toBe(0o600);
    expect(result.envKeysWritten).toContain("EDGE_MCP_CLIENT_CI_BOT_SECRET");
    // A second run keeps the block (and the secret) and the user's lines.
    writeFileSync(join(root, ".env"), `${readFileSync(join(root, ".env"), "utf8")}LATER=added after\n`);
    await run();
    const again = readFileSync(join(root, ".env"), "utf8");
    expect(again).toContain(`EDGE_MCP_CLIENT_CI_BOT_SECRET=${String(bot.client_secret)}`);
    expect(again).toContain("MY_SETTING=keep me");
    expect(again).toContain("LATER=added after");
    // Secrets appear in no output, in any mode.
    const everything = [...output, result.text, JSON.stringify(result.plan)].join("\n");
    expect(everything).not.toContain(String(bot.client_secret));
    expect(everything).not.toContain(fake.mgmtClientSecret);
  });
});
