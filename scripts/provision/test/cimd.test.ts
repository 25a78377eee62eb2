/**
 * Sign-in without open DCR (issue 11 §1): trusted MCP clients listed by their Client ID Metadata
 * Document URL are registered in Auth0 through the Management API's CIMD endpoint (an upsert
 * keyed on the URL), granted each server's read scopes, and removed only when this tool
 * registered them and they left the list.
 */
import { afterEach, describe, expect, it } from "vitest";
import { BASE_DOMAIN, setup, STANDARD_FLEET } from "./helpers.ts";

const CLAUDE = "https://claude.example-client.test/.well-known/oauth-client.json";
const CURSOR = "https://cursor.example-client.test/oauth/client-metadata.json";
const NOTES = `https://notes-mcp.${BASE_DOMAIN}/mcp`;
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});
async function fresh(cimdClients: string[]) {
  const s = await setup(STANDARD_FLEET, { tenant: { cimdClients } });
  stops.push(() => s.fake.stop());
  return s;
}
const cimdOf = (fake: Awaited<ReturnType<typeof fresh>>["fake"]) => [...fake.clients.values()].filter((c) => c.external_metadata_type === "cimd");

describe("CIMD clients through Auth0 (provisioner)", () => {
  it("enables the tenant's CIMD setting, registers each listed document, and grants it every server's read scopes", async () => {
    const { fake, run } = await fresh([CLAUDE, CURSOR]);
    const result = await run();
    expect(fake.tenant.client_id_metadata_document_supported).toBe(true);
    expect(cimdOf(fake).map((c) => c.external_client_id).sort()).toEqual([CLAUDE, CURSOR]);
    expect(cimdOf(fake).every((c) => c.is_first_party === false && c.third_party_security_mode === "strict")).toBe(true);
    const claude = cimdOf(fake).find((c) => c.external_client_id === CLAUDE)!;
    const grant = [...fake.grants.values()].find((g) => g.client_id === claude.client_id && g.audience === NOTES);
    expect(grant).toMatchObject({ subject_type: "user", scope: ["prompts.read", "resources.read", "tools.read"] });
    expect(result.text).toContain(`+ CIMD client ${CLAUDE}  (registered from its metadata document)`);
    expect(fake.calls.filter((c) => c.path.endsWith("/clients/cimd/register")).map((c) => c.status)).toEqual([201, 201]);
  });

  it("makes zero writes on a re-run (idempotent)", async () => {
    const { fake, run } = await fresh([CLAUDE]);
    await run();
    const writes = fake.writes;
    const again = await run();
    expect(again.plan.changes).toEqual([]);
    expect(fake.writes).toBe(writes);
  });

  it("adopts a client already registered for the URL (the upsert key) instead of registering it twice", async () => {
    const { fake, run } = await fresh([CLAUDE]);
    fake.tenant.client_id_metadata_document_supported = true;
    fake.clients.set("tpc_earlier", { client_id: "tpc_earlier", external_client_id: CLAUDE, external_metadata_type: "cimd", is_first_party: false, third_party_security_mode: "strict", name: "Claude" });
    await run();
    expect(cimdOf(fake)).toHaveLength(1);
    expect([...fake.grants.values()].some((g) => g.client_id === "tpc_earlier" && g.audience === NOTES)).toBe(true);
    expect(fake.calls.some((c) => c.path.endsWith("/clients/cimd/register"))).toBe(false);
  });

  it("deletes only CIMD clients it registered that left the list, and only with --allow-delete", async () => {
    const { fake, run, root } = await fresh([CLAUDE, CURSOR]);
    await run();
    fake.clients.set("tpc_someone", { client_id: "tpc_someone", external_client_id: "https://other.example-client.test/cimd.json", external_metadata_type: "cimd", is_first_party: false, name: "not ours" });
    const { writeFileSync, readFileSync } = await import("node:fs");
    const eco = JSON.parse(readFileSync(`${root}/ecosystem.json`, "utf8")) as { tenant?: { cimdClients?: string[] } };
    writeFileSync(`${root}/ecosystem.json`, JSON.stringify({ ...eco, tenant: { ...eco.tenant, cimdClients: [CLAUDE] } }));
    const kept = await run();
    expect(kept.plan.changes.filter((c) => c.type === "cimd_client").map((c) => [c.action, c.key])).toEqual([["orphan", CURSOR]]);
    expect(cimdOf(fake).map((c) => c.external_client_id).sort()).toEqual([CLAUDE, CURSOR, "https://other.example-client.test/cimd.json"].sort());
    await run({ allowDelete: true, yes: true });
    expect(cimdOf(fake).map((c) => c.external_client_id).sort()).toEqual([CLAUDE, "https://other.example-client.test/cimd.json"].sort());
  });

  it("verify-tenant reports CIMD readiness: the setting, no Rules, a domain-level connection, the registrations", async () => {
    const s = await setup(STANDARD_FLEET, { tenant: { cimdClients: [CLAUDE], domainConnections: ["Username-Password-Authentication"] } });
    stops.push(() => s.fake.stop());
    const { runVerifyTenant } = await import("../src/run-verify-tenant.ts");
    const verify = async () => Object.fromEntries((await runVerifyTenant({ root: s.root, processEnv: s.processEnv, requestsPerSecond: 0 })).filter((c) => c.name.startsWith("CIMD")).map((c) => [c.name, c.ok]));
    expect(await verify()).toEqual({
      "CIMD: client ID metadata documents supported": false,
      "CIMD: no enabled Rules": true,
      "CIMD: a domain-level connection": false,
      "CIMD: every listed client registered": false,
    });
    await s.run();
    s.fake.rules.set("rul_1", { id: "rul_1", name: "legacy rule", enabled: true });
    expect(await verify()).toEqual({
      "CIMD: client ID metadata documents supported": true,
      "CIMD: no enabled Rules": false,
      "CIMD: a domain-level connection": true,
      "CIMD: every listed client registered": true,
    });
  });

  it("refuses a CIMD URL that is not https in ecosystem.json, naming the field", async () => {
    const error = await fresh(["http://insecure.example-client.test/cimd.json"]).catch((e: unknown) => e);
    const failed = error instanceof Error ? error : await (error as { run: () => Promise<unknown> }).run().catch((e: unknown) => e);
    expect((failed as Error).message).toMatch(/tenant\.cimdClients\.0 must be an https URL/);
  });
});

describe("Auth0's dynamic CIMD switch (tenant.dynamicCimd)", () => {
  async function withTenant(tenant: object, before?: boolean) {
    const s = await setup(STANDARD_FLEET, { tenant });
    stops.push(() => s.fake.stop());
    if (before !== undefined) s.fake.tenant.client_id_metadata_document_supported = before;
    return s;
  }

  it("turns dynamic CIMD on without listing any client; a re-run writes nothing", async () => {
    const { fake, run } = await withTenant({ dynamicCimd: true });
    const result = await run();
    expect(fake.tenant.client_id_metadata_document_supported).toBe(true);
    expect(result.text).toContain("client_id_metadata_document_supported");
    const writes = fake.writes;
    expect((await run()).plan.changes).toEqual([]);
    expect(fake.writes).toBe(writes);
  });

  it("turns it off when false, and leaves a tenant's own value alone when absent", async () => {
    const off = await withTenant({ dynamicCimd: false }, true);
    await off.run();
    expect(off.fake.tenant.client_id_metadata_document_supported).toBe(false);
    const untouched = await withTenant({}, true);
    const result = await untouched.run();
    expect(untouched.fake.tenant.client_id_metadata_document_supported).toBe(true);
    expect(result.plan.changes.flatMap((c) => ("fields" in c && c.fields !== undefined ? c.fields.map((f) => f.field) : []))).not.toContain("client_id_metadata_document_supported");
  });

  it("refuses false while CIMD clients are listed (Auth0 has one setting for both), before any write", async () => {
    const { fake, run } = await withTenant({ dynamicCimd: false, cimdClients: [CLAUDE] });
    await expect(run()).rejects.toThrow(/tenant\.dynamicCimd.*cannot be false while tenant\.cimdClients lists clients/);
    expect(fake.writes).toBe(0);
  });
});
