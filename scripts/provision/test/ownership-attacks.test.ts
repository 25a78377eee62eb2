/**
 * Security review findings against the provisioner (issue 13 §1, §2, §7), each reproduced as an
 * attack on the Management API fake: planted applications carrying the edge-mcp marker, other
 * teams' objects that merely look like the fleet's, and a symlink planted for the .env write.
 */
import { existsSync, lstatSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { clientEnvNames, ProvisionError, writeManagedEnv } from "../src/index.ts";
import type { Auth0Fake } from "./fakes/auth0-fake.ts";
import { BASE_DOMAIN, setup } from "./helpers.ts";

const NOTES = `https://notes-mcp.${BASE_DOMAIN}/mcp`;
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});
async function fresh() {
  const s = await setup();
  stops.push(() => s.fake.stop());
  return s;
}
const marked = (key: string) => ({ managed_by: "edge-mcp", edge_mcp_client: key });
function plant(fake: Auth0Fake, client: Record<string, unknown>) {
  fake.clients.set(String(client.client_id), { name: "planted", app_type: "non_interactive", grant_types: ["client_credentials"], token_endpoint_auth_method: "client_secret_post", client_secret: "known-to-the-attacker", ...client });
}
const envOf = (root: string) => (existsSync(join(root, ".env")) ? readFileSync(join(root, ".env"), "utf8") : "");

describe("ownership of applications (issue 13 §1)", () => {
  it("never adopts a pre-planted third-party application carrying the marker; creates the real one", async () => {
    const { fake, run, root, output } = await fresh();
    plant(fake, { client_id: "tpc_planted", is_first_party: false, third_party_security_mode: "strict", client_metadata: marked("ci-bot") });
    await run();
    const planted = fake.clients.get("tpc_planted")!;
    expect(planted.grant_types).toEqual(["client_credentials"]); // untouched
    expect([...fake.grants.values()].some((g) => g.client_id === "tpc_planted")).toBe(false);
    const bot = [...fake.clients.values()].find((c) => c.name === "CI bot")!;
    expect(bot.client_id).not.toBe("tpc_planted");
    expect(envOf(root)).toContain(`${clientEnvNames("ci-bot").id}=${String(bot.client_id)}`);
    expect(envOf(root)).not.toContain("tpc_planted");
    expect(output.join("\n") + "").not.toContain("known-to-the-attacker");
  });

  // Each of Auth0's third-party signals is enough on its own: an attacker who can set one need not set all three.
  it.each([
    ["is_first_party: false alone", { client_id: "client_flagged", is_first_party: false }],
    ["a third-party (CIMD) client id alone", { client_id: "tpc_prefixed" }],
    ["a third_party_security_mode alone", { client_id: "client_moded", third_party_security_mode: "permissive" }],
  ])("never adopts a marked application that is third-party by %s", async (_signal, client) => {
    const { fake, run, root } = await fresh();
    plant(fake, { ...client, client_metadata: marked("ci-bot") });
    await run();
    expect(fake.clients.get(client.client_id)!.grant_types).toEqual(["client_credentials"]); // untouched
    expect([...fake.grants.values()].some((g) => g.client_id === client.client_id)).toBe(false);
    expect(envOf(root)).not.toContain(client.client_id);
  });

  it("stops the run when a duplicate is marked after a clean run (pinned key): no grant moves, .env unchanged", async () => {
    const { fake, run, root } = await fresh();
    await run();
    const before = envOf(root);
    const grantsBefore = JSON.stringify([...fake.grants.values()]);
    plant(fake, { client_id: "client_planted", is_first_party: true, client_metadata: marked("ci-bot") });
    const writes = fake.writes;
    const error = await run().catch((e: unknown) => e);
    expect((error as ProvisionError).code).toBe("ownership_conflict");
    expect((error as Error).message).toContain('"ci-bot" is pinned to');
    expect((error as Error).message).toContain("client_planted");
    expect(fake.writes).toBe(writes);
    expect(JSON.stringify([...fake.grants.values()])).toBe(grantsBefore);
    expect(envOf(root)).toBe(before);
  });

  it("stops the run when two first-party applications claim one key and none is pinned (never a silent pick)", async () => {
    const { fake, run } = await fresh();
    plant(fake, { client_id: "client_a", is_first_party: true, client_metadata: marked("ci-bot") });
    plant(fake, { client_id: "client_b", is_first_party: true, client_metadata: marked("ci-bot") });
    const error = await run().catch((e: unknown) => e);
    expect((error as ProvisionError).code).toBe("ownership_conflict");
    expect((error as Error).message).toMatch(/"ci-bot" is claimed by 2 applications: client_a .*client_b/);
    expect(fake.writes).toBe(0);
  });

  it("writes .env entries only for configured keys, matched exactly (a marked CI_BOT does not overwrite EDGE_MCP_CLIENT_CI_BOT_ID)", async () => {
    const { fake, run, root } = await fresh();
    await run();
    plant(fake, { client_id: "client_upper", is_first_party: true, client_metadata: marked("CI_BOT") });
    [...fake.clients.values()].find((c) => c.name === "Cursor")!.name = "Cursor (drifted)"; // so the run applies and writes .env
    await run();
    const bot = [...fake.clients.values()].find((c) => c.name === "CI bot")!;
    expect(envOf(root)).toContain(`EDGE_MCP_CLIENT_CI_BOT_ID=${String(bot.client_id)}`);
    expect(envOf(root)).not.toContain("client_upper");
  });

  it("puts is_first_party in the diff of an adopted application", async () => {
    const { fake, run } = await fresh();
    await run();
    const bot = [...fake.clients.values()].find((c) => c.name === "CI bot")!;
    bot.is_first_party = "false-ish"; // drifted (not false: still adoptable), must be put back
    const result = await run({ mode: "plan" });
    const update = result.plan.changes.find((c) => c.action === "update" && c.type === "client");
    expect(update).toMatchObject({ fields: [{ field: "is_first_party", before: "false-ish", after: true }] });
  });

  it("after a 5xx on create adopts only the application its own request made, and never copies a listed secret", async () => {
    const { fake, run, root } = await fresh();
    fake.injected.push({ method: "POST", path: /\/clients$/, status: 500, times: 2, afterWrite: true });
    await run();
    const bots = [...fake.clients.values()].filter((c) => c.name === "CI bot");
    expect(bots).toHaveLength(1);
    const secret = /EDGE_MCP_CLIENT_CI_BOT_SECRET=(.+)/.exec(envOf(root))?.[1];
    expect(secret).toBe(bots[0]!.client_secret);
    expect(secret).toContain("-rotated-"); // the secret this run received from rotate-secret, not one read from a listing
  });
});

describe("deletion stays inside the fleet (issue 13 §2)", () => {
  it("never deletes another team's API that merely matches the identifier pattern, nor a hand-made grant to an unrelated API", async () => {
    const { fake, run } = await fresh();
    await run();
    fake.resourceServers.set("rs_billing", { id: "rs_billing", identifier: `https://billing-mcp.${BASE_DOMAIN}/mcp`, name: "Billing (another team)", scopes: [] });
    const bot = [...fake.clients.values()].find((c) => c.name === "CI bot")!;
    fake.grants.set("cgr_reports", { id: "cgr_reports", client_id: bot.client_id, audience: "https://reports.acme.dev/", scope: ["read:reports"], subject_type: "client" });
    const result = await run({ allowDelete: true, yes: true });
    expect(result.plan.changes.filter((c) => c.action === "delete")).toEqual([]);
    expect(fake.resourceServers.has("rs_billing")).toBe(true);
    expect(fake.grants.has("cgr_reports")).toBe(true);
    const teardown = await run({ teardown: "all", yes: true });
    expect(teardown.plan.changes.some((c) => c.key.includes("billing") || c.key.includes("reports"))).toBe(false);
    expect(fake.resourceServers.has("rs_billing")).toBe(true);
    expect(teardown.plan.changes.some((c) => c.type === "client_grant" && (c as { id?: string }).id === "cgr_reports")).toBe(false);
    expect([...fake.resourceServers.values()].some((r) => r.identifier === NOTES)).toBe(false); // its own API did go
  });
});

describe(".env writes (issue 13 §7)", () => {
  it("does not follow a symlink planted at the old predictable temp name; .env stays a regular 0600 file", () => {
    const dir = mkdtempSync(join(tmpdir(), "envfile-"));
    const loot = join(mkdtempSync(join(tmpdir(), "loot-")), "stolen");
    writeFileSync(loot, "");
    const file = join(dir, ".env");
    symlinkSync(loot, `${file}.${process.pid}.tmp`);
    writeManagedEnv(file, { AUTH0_MGMT_CLIENT_SECRET: "s3cret-value" });
    expect(readFileSync(loot, "utf8")).toBe("");
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).toContain("AUTH0_MGMT_CLIENT_SECRET=s3cret-value");
  });
});
