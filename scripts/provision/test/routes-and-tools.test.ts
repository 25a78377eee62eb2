import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createApiFetch } from "../src/index.ts";
import { runRoutes } from "../src/routes.ts";
import { runVerifyTenant } from "../src/run-verify-tenant.ts";
import { scaffoldWorker } from "../src/scaffold.ts";
import { BASE_DOMAIN, setupWithCloudflare } from "./helpers.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

const withCloudflare = () => setupWithCloudflare({ notes: { durableObjects: [{ binding: "NOTES", className: "NotesStore" }] }, hello: { transport: "stateless" } }, stops);

describe("routes: wrangler.toml from the template, hostnames checked with Cloudflare", () => {
  it("renders the custom domain, vars and Durable Objects of each worker", async () => {
    const { root, processEnv } = await withCloudflare();
    const result = await runRoutes({ root, processEnv, requestsPerSecond: 0 });
    expect(result.workers).toEqual([
      { slug: "hello", host: `hello-mcp.${BASE_DOMAIN}`, hostStatus: "free", written: true, migration: "v1" },
      { slug: "notes", host: `notes-mcp.${BASE_DOMAIN}`, hostStatus: "free", written: true, migration: "v1" },
    ]);
    const notes = readFileSync(join(root, "workers/notes/wrangler.toml"), "utf8");
    expect(notes).toContain('name = "notes-mcp"');
    expect(notes).toContain(`routes = [{ pattern = "notes-mcp.${BASE_DOMAIN}", custom_domain = true }]`);
    expect(notes).toContain(`MCP_RESOURCE = "https://notes-mcp.${BASE_DOMAIN}/mcp"`);
    expect(notes).toMatch(/^keep_names = false$/m);
    // Workers Logs and traces on (issue 26 §1: the rendered config enables traces).
    expect(notes).toContain("[observability]\nenabled = true\n\n[observability.traces]\nenabled = true");
    expect(notes).toContain(`AUTH_ISSUER = "https://${processEnv.AUTH0_DOMAIN}/"`);
    expect(notes).toContain('[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["McpSession", "NotesStore", "McpEventBus"]');
    const hello = readFileSync(join(root, "workers/hello/wrangler.toml"), "utf8");
    // A stateless server has no session objects, only the subscriptions/listen bus.
    expect(hello).not.toContain("McpSession");
    expect(hello).toContain('name = "MCP_EVENTS"\nclass_name = "McpEventBus"');
    expect(hello).toContain('[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["McpEventBus"]');
    expect(hello).not.toContain("{{");
  });

  it("accepts a hostname already attached to this worker and refuses one owned by another", async () => {
    const { root, processEnv, cf } = await withCloudflare();
    cf.domains.set(`notes-mcp.${BASE_DOMAIN}`, "notes-mcp");
    cf.domains.set(`hello-mcp.${BASE_DOMAIN}`, "marketing-site");
    const error = await runRoutes({ root, processEnv, requestsPerSecond: 0 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "hostname_taken" });
    expect((error as Error).message).toContain(`hello-mcp.${BASE_DOMAIN} is attached to the worker "marketing-site"`);
    expect(existsSync(join(root, "workers/notes/wrangler.toml"))).toBe(false); // nothing written
    cf.domains.delete(`hello-mcp.${BASE_DOMAIN}`);
    const ok = await runRoutes({ root, processEnv, requestsPerSecond: 0 });
    expect(ok.workers.map((w) => w.hostStatus)).toEqual(["free", "ours"]);
  });

  it("writes nothing with --dry-run", async () => {
    const { root, processEnv } = await withCloudflare();
    const result = await runRoutes({ root, processEnv, requestsPerSecond: 0, dryRun: true });
    expect(result.workers.every((w) => !w.written)).toBe(true);
    expect(existsSync(join(root, "workers/notes/wrangler.toml"))).toBe(false);
  });

  it("needs no Management API secrets, and treats a Cloudflare placeholder as not set (rendered, hostnames not checked)", async () => {
    const { root, processEnv } = await withCloudflare();
    const { AUTH0_MGMT_CLIENT_ID: _id, AUTH0_MGMT_CLIENT_SECRET: _secret, ...routesEnv } = processEnv;
    const result = await runRoutes({ root, processEnv: { ...routesEnv, CLOUDFLARE_API_TOKEN: "__REQUIRED__", CLOUDFLARE_ACCOUNT_ID: "__REQUIRED__" }, requestsPerSecond: 0 });
    expect(result.workers.map((w) => w.hostStatus)).toEqual(["not checked", "not checked"]);
    const absent = await runRoutes({ root, processEnv: (({ CLOUDFLARE_API_TOKEN: _t, CLOUDFLARE_ACCOUNT_ID: _a, ...rest }) => rest)(routesEnv), requestsPerSecond: 0, dryRun: true });
    expect(absent.workers.map((w) => w.hostStatus)).toEqual(["not checked", "not checked"]);
  });

  it("names the Cloudflare API, not the Auth0 tenant, when Cloudflare cannot be reached", async () => {
    const { root, processEnv } = await withCloudflare();
    const error = await runRoutes({ root, processEnv: { ...processEnv, CLOUDFLARE_API_BASE: "http://127.0.0.1:9/client/v4" }, requestsPerSecond: 0 }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^Could not reach 127\.0\.0\.1:9 \(from CLOUDFLARE_API_BASE, the Cloudflare API\)/);
    expect((error as Error).message).not.toContain("AUTH0_DOMAIN");
  });

  it("says what to fix when the Cloudflare token is rejected", async () => {
    const { root, processEnv } = await withCloudflare();
    const error = await runRoutes({ root, processEnv: { ...processEnv, CLOUDFLARE_API_TOKEN: "wrong" }, requestsPerSecond: 0 }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/HTTP 403: Authentication error.*check CLOUDFLARE_API_TOKEN/);
    expect((error as Error).message).not.toContain("wrong");
  });
});

describe("verify-tenant", () => {
  it("reports each missing prerequisite with its fix, then all green after provisioning", async () => {
    const { root, processEnv, run } = await withCloudflare();
    const before = await runVerifyTenant({ root, processEnv, requestsPerSecond: 0 });
    expect(before.find((c) => c.name === "Resource Parameter Compatibility Profile")).toMatchObject({ ok: false, fix: expect.stringContaining("npm run provision") });
    await run();
    const after = await runVerifyTenant({ root, processEnv, requestsPerSecond: 0 });
    expect(after.every((c) => c.ok)).toBe(true);
  });
});

describe("new <slug>", () => {
  it("scaffolds a worker on the next free dev port, and refuses an existing one or a bad slug", async () => {
    const { root } = await withCloudflare();
    const files = scaffoldWorker(root, "weather");
    expect(files).toContain("workers/weather/test/weather.test.ts");
    expect(readFileSync(join(root, "workers/weather/wrangler.toml"), "utf8")).toMatch(/^keep_names = false$/m);
    expect(JSON.parse(readFileSync(join(root, "workers/weather/mcp.json"), "utf8"))).toMatchObject({ slug: "weather", dev: { port: 8802 } });
    expect(() => scaffoldWorker(root, "weather")).toThrow("workers/weather already exists");
    expect(() => scaffoldWorker(root, "Bad_Slug")).toThrow(/not a valid slug/);
    expect(scaffoldWorker(root, "dry", { dryRun: true })).toHaveLength(files.length);
    expect(existsSync(join(root, "workers/dry"))).toBe(false);
  });
});

describe("createApiFetch throttle (frozen clock)", () => {
  it("spaces requests at the configured rate and retries a read after x-ratelimit-reset", async () => {
    let now = 1_000_000;
    const waits: number[] = [];
    const statuses = [429, 200, 200, 200];
    const apiFetch = createApiFetch({
      requestsPerSecond: 2,
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
      baseFetch: async () => {
        const status = statuses.shift()!;
        return new Response("{}", { status, headers: status === 429 ? { "x-ratelimit-reset": String(Math.ceil((now + 3_000) / 1000)) } : {} });
      },
    });
    for (let i = 0; i < 3; i++) await apiFetch("https://tenant.example/api/v2/clients");
    // First call immediately, then 429 → wait until the reset (3 s), then 500 ms spacing.
    expect(waits[0]).toBe(3_000);
    expect(waits.slice(1).every((w) => w >= 0 && w <= 500)).toBe(true);
    expect(statuses).toEqual([]);
  });

  it("never retries a POST answered 500", async () => {
    let calls = 0;
    const apiFetch = createApiFetch({ requestsPerSecond: 0, baseFetch: async () => (calls++, new Response("{}", { status: 500 })) });
    const res = await apiFetch("https://tenant.example/api/v2/clients", { method: "POST", body: "{}" });
    expect(res.status).toBe(500);
    expect(calls).toBe(1);
  });
});
