/**
 * Durable audit (issue 26 §3): `routes` reconciles the one Logpush job edge-mcp owns
 * (`edge-mcp-audit`, workers_trace_events of the fleet's workers) with ecosystem.json
 * operations.audit, on the Cloudflare API fake; every rendered worker has `logpush = true`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LOGPUSH_JOB_NAME } from "../src/logpush.ts";
import { runRoutes } from "../src/routes.ts";
import type { CloudflareFake } from "./fakes/cloudflare-fake.ts";
import { setupWithCloudflare } from "./helpers.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

const R2_KEY_ID = "r2-key-id-0123";
const R2_SECRET = "r2-secret-never-printed-9876";
const R2_AUDIT = { operations: { audit: { destination: "r2", bucket: "acme-audit" } } };
const writes = (cf: CloudflareFake) => cf.calls.filter((c) => !c.startsWith("GET "));

async function fleetWith(ecosystem: object, extraEnv: Record<string, string> = { LOGPUSH_R2_ACCESS_KEY_ID: R2_KEY_ID, LOGPUSH_R2_SECRET_ACCESS_KEY: R2_SECRET }) {
  const s = await setupWithCloudflare({ notes: {}, "hello-world": { transport: "stateless" } }, stops, ecosystem);
  return { ...s, processEnv: { ...s.processEnv, ...extraEnv } };
}

describe("routes: the audit's Logpush job (ecosystem.json operations.audit)", () => {
  it("creates the job for the fleet's workers' trace events to R2, then a re-run writes nothing", async () => {
    const { root, processEnv, cf } = await fleetWith(R2_AUDIT);
    const first = await runRoutes({ root, processEnv, requestsPerSecond: 0 });
    expect(first.logpush).toMatchObject({ job: LOGPUSH_JOB_NAME, action: "created", destination: `r2://acme-audit/edge-mcp-audit/{DATE}?account-id=${cf.accountId}` });
    const [job] = [...cf.logpushJobs.values()];
    expect(job).toMatchObject({ name: LOGPUSH_JOB_NAME, dataset: "workers_trace_events", enabled: true, output_options: { output_type: "ndjson" } });
    expect(JSON.parse(String(job!.filter))).toEqual({ where: { key: "ScriptName", operator: "in", value: ["hello-world-mcp", "notes-mcp"] } });
    expect(String(job!.destination_conf)).toContain(`secret-access-key=${R2_SECRET}`);
    // Never in what the run returns (printed by the CLI, --json included).
    expect(JSON.stringify(first)).not.toContain(R2_SECRET);
    expect(JSON.stringify(first)).not.toContain(R2_KEY_ID);

    const before = writes(cf).length;
    const again = await runRoutes({ root, processEnv, requestsPerSecond: 0 });
    expect(again.logpush).toMatchObject({ action: "unchanged", id: job!.id });
    expect(writes(cf).length).toBe(before);
  });

  it("sets logpush = true, binds the metrics dataset and names the trace destinations in every rendered wrangler.toml", async () => {
    const { root, processEnv } = await fleetWith({ operations: { metricsDataset: "acme_calls", traceDestinations: ["honeycomb", "grafana-traces"], traceSampleRate: 0.25, ...R2_AUDIT.operations } });
    await runRoutes({ root, processEnv, requestsPerSecond: 0 });
    for (const slug of ["notes", "hello-world"]) {
      const toml = readFileSync(join(root, `workers/${slug}/wrangler.toml`), "utf8");
      expect(toml).toMatch(/^logpush = true$/m);
      // A top-level key: before the first table, or TOML would put it into that table.
      expect(toml.indexOf("logpush = true")).toBeLessThan(toml.indexOf("\n["));
      expect(toml).toContain('[[analytics_engine_datasets]]\nbinding = "MCP_METRICS"\ndataset = "acme_calls"');
      expect(toml).toMatch(/\[observability\.traces\]\nenabled = true\n#[^\n]*\ndestinations = \["honeycomb", "grafana-traces"\]\nhead_sampling_rate = 0\.25\n/);
    }
  });

  it("updates the job in place when the destination changed, touching no other job", async () => {
    const { root, processEnv, cf } = await fleetWith(R2_AUDIT);
    cf.logpushJobs.set(9, { id: 9, name: "someone-elses", dataset: "http_requests", enabled: true, destination_conf: "https://siem.example.com/in" });
    await runRoutes({ root, processEnv, requestsPerSecond: 0 });
    const ecosystem = JSON.parse(readFileSync(join(root, "ecosystem.json"), "utf8")) as Record<string, unknown>;
    ecosystem.operations = { audit: { destination: "http", url: "https://siem.acme.dev/edge-mcp" } };
    writeFileSync(join(root, "ecosystem.json"), JSON.stringify(ecosystem));
    const before = writes(cf).length;
    const result = await runRoutes({ root, processEnv: { ...processEnv, LOGPUSH_HTTP_AUTHORIZATION: "Bearer siem-token-secret" }, requestsPerSecond: 0 });
    expect(result.logpush).toMatchObject({ action: "updated", destination: "https://siem.acme.dev/edge-mcp" });
    expect(writes(cf).slice(before)).toEqual([expect.stringMatching(/^PUT \/client\/v4\/accounts\/[^/]+\/logpush\/jobs\/\d+$/)]);
    const ours = [...cf.logpushJobs.values()].find((j) => j.name === LOGPUSH_JOB_NAME)!;
    expect(ours.destination_conf).toBe("https://siem.acme.dev/edge-mcp?header_Authorization=Bearer%20siem-token-secret");
    expect(JSON.stringify(result)).not.toContain("siem-token-secret");
    expect(cf.logpushJobs.get(9)).toMatchObject({ name: "someone-elses", destination_conf: "https://siem.example.com/in" });
  });

  it("makes zero writes with --dry-run and says it would create the job", async () => {
    const { root, processEnv, cf } = await fleetWith(R2_AUDIT);
    const result = await runRoutes({ root, processEnv, requestsPerSecond: 0, dryRun: true });
    expect(result.logpush).toMatchObject({ action: "would create", id: null });
    expect(writes(cf)).toEqual([]);
    expect(cf.logpushJobs.size).toBe(0);
  });

  it("waits out Cloudflare's 429 (Retry-After) on the job listing and goes on", async () => {
    const { root, processEnv, cf } = await fleetWith(R2_AUDIT);
    await runRoutes({ root, processEnv, requestsPerSecond: 0 });
    cf.rateLimitNext = 1;
    const calls = cf.calls.length;
    const result = await runRoutes({ root, processEnv, requestsPerSecond: 0, dryRun: true });
    expect(result.logpush).toMatchObject({ action: "unchanged" });
    expect(cf.calls.length).toBeGreaterThan(calls);
  });

  it("refuses an R2 destination without its credentials, naming the .env settings", async () => {
    const { root, processEnv } = await fleetWith(R2_AUDIT, {});
    await expect(runRoutes({ root, processEnv, requestsPerSecond: 0 })).rejects.toThrow(/LOGPUSH_R2_ACCESS_KEY_ID and LOGPUSH_R2_SECRET_ACCESS_KEY in \.env/);
  });

  it("refuses to repurpose a job of the same name that pushes another dataset", async () => {
    const { root, processEnv, cf } = await fleetWith(R2_AUDIT);
    cf.logpushJobs.set(5, { id: 5, name: LOGPUSH_JOB_NAME, dataset: "http_requests", enabled: true, destination_conf: "https://x.example.com/" });
    await expect(runRoutes({ root, processEnv, requestsPerSecond: 0 })).rejects.toThrow(/dataset cannot change: delete that job/);
    expect(writes(cf)).toEqual([]);
  });

  it("reports the job as not configured when ecosystem.json names no audit destination", async () => {
    const { root, processEnv, cf } = await fleetWith({});
    expect((await runRoutes({ root, processEnv, requestsPerSecond: 0 })).logpush).toEqual({ action: "not configured" });
    expect(cf.calls.some((c) => c.includes("/logpush/"))).toBe(false);
  });
});
