import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runDeploy } from "../src/deploy.ts";
import { writeFleet } from "./helpers.ts";

const root = fileURLToPath(new URL("../../..", import.meta.url));

describe("npm run deploy", () => {
  it("--dry-run bundles every worker offline and reports its gzip size (≤ 300 KiB for stateful workers)", async () => {
    const lines: string[] = [];
    const result = await runDeploy({ root, dryRun: true, log: (l) => lines.push(l) });
    expect(result.workers.map((w) => w.slug)).toEqual(["concierge", "conformance", "hello", "live-monitor", "notes", "gateway", "console"]);
    for (const w of result.workers) {
      expect(w.deployed).toBe(false);
      expect(w.gzipKib).toBeGreaterThan(50);
      expect(w.gzipKib).toBeLessThanOrEqual(300);
    }
    expect(lines[0]).toMatch(/^concierge\s+[\d.]+ KiB\s+gzip\s+[\d.]+ KiB\s+\(dry run: not uploaded\)$/);
  }, 120_000);

  it("refuses a real deploy without Cloudflare credentials, because it must check hostnames first", async () => {
    // A throwaway fleet with no .env, so nothing on this machine can make it really deploy.
    const dir = mkdtempSync(join(tmpdir(), "deploy-"));
    writeFleet(dir, { notes: {} });
    const env = { ECOSYSTEM_BASE_DOMAIN: "mcp.acme.dev", AUTH0_DOMAIN: "tenant.eu.auth0.com", AUTH0_MGMT_CLIENT_ID: "id", AUTH0_MGMT_CLIENT_SECRET: "secret" };
    const error = await runDeploy({ root: dir, processEnv: env }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^ {2}CLOUDFLARE_API_TOKEN +is not set/m);
    expect((error as Error).message).toMatch(/^ {2}CLOUDFLARE_ACCOUNT_ID +is not set/m);
    // A deploy uses Cloudflare, not the Management API: its secrets are not asked for.
    const { AUTH0_MGMT_CLIENT_ID: _id, AUTH0_MGMT_CLIENT_SECRET: _secret, ...noManagement } = env;
    expect(((await runDeploy({ root: dir, processEnv: { ...noManagement, CLOUDFLARE_API_TOKEN: "__REQUIRED__" } }).catch((e: unknown) => e)) as Error).message).not.toContain("AUTH0_MGMT");
  });
});

describe("deploy order", () => {
  it("deploys what others bind to first: the facade, then the servers, then the gateway (its service bindings need its backends)", async () => {
    const { deployOrder } = await import("../src/deploy.ts");
    const { loadFleet } = await import("@edge-mcp/config/load");
    const { writeFileSync } = await import("node:fs");
    const dir = mkdtempSync(join(tmpdir(), "order-"));
    writeFleet(dir, { gateway: {}, notes: {}, alpha: {} }, { auth: { mode: "facade" }, tenant: { dynamicClientRegistration: false } });
    writeFileSync(join(dir, "workers/gateway/gateway.json"), JSON.stringify({ backends: { notes: { service: "notes-mcp" }, alpha: { service: "alpha-mcp" } }, rules: [] }));
    expect(deployOrder(loadFleet(dir)).map((w) => w.slug)).toEqual(["oauth", "alpha", "notes", "gateway"]);
    // The repository's own fleet: the gateway after its backends, the operator console (bound to every server) last.
    expect(deployOrder(loadFleet(root)).map((w) => w.slug).slice(-2)).toEqual(["gateway", "console"]);
  });
});

describe("required Worker secrets", () => {
  it("are declared in each rendered wrangler.toml: the requestState key, and a gateway's remote credentials", async () => {
    const { setupWithCloudflare } = await import("./helpers.ts");
    const { runRoutes } = await import("../src/routes.ts");
    const { readFileSync, writeFileSync } = await import("node:fs");
    const stops: Array<() => Promise<void>> = [];
    try {
      const s = await setupWithCloudflare({ notes: {}, gateway: { transport: "stateless" } }, stops);
      writeFileSync(join(s.root, "workers/gateway/gateway.json"), JSON.stringify({ backends: { notes: { service: "notes-mcp" }, docs: { url: "https://docs.example.com/mcp", credentialSecret: "DOCS_TOKEN" } }, rules: [{ when: { sub: "a" }, allow: ["notes.*"] }] }));
      await runRoutes({ root: s.root, processEnv: s.processEnv, requestsPerSecond: 0 });
      expect(readFileSync(join(s.root, "workers/notes/wrangler.toml"), "utf8")).toContain('[secrets]\nrequired = ["MCP_REQUEST_STATE_KEY"]');
      expect(readFileSync(join(s.root, "workers/gateway/wrangler.toml"), "utf8")).toContain('[secrets]\nrequired = ["MCP_REQUEST_STATE_KEY", "DOCS_TOKEN"]');
    } finally {
      await Promise.all(stops.map((stop) => stop()));
    }
  });

  it("are checked with Cloudflare before anything is uploaded: a Worker lacking one fails the deploy, naming it and how to set it", async () => {
    const { setupWithCloudflare } = await import("./helpers.ts");
    const stops: Array<() => Promise<void>> = [];
    try {
      const s = await setupWithCloudflare({ notes: {}, hello: { transport: "stateless" } }, stops);
      s.cf.scripts.set("notes-mcp", new Set(["MCP_REQUEST_STATE_KEY"]));
      s.cf.scripts.set("hello-mcp", new Set()); // deployed, without the key
      const lines: string[] = [];
      const error = await runDeploy({ root: s.root, processEnv: s.processEnv, log: (l) => lines.push(l) }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "secrets_missing" });
      expect((error as Error).message).toContain("hello: cd workers/hello && npx wrangler secret put MCP_REQUEST_STATE_KEY");
      expect((error as Error).message).not.toContain("  notes:");
      expect(lines.some((l) => l.startsWith("deploying"))).toBe(false); // nothing was uploaded
      s.cf.scripts.delete("hello-mcp"); // never deployed: the first deploy must bring them
      expect(((await runDeploy({ root: s.root, processEnv: s.processEnv }).catch((e: unknown) => e)) as Error).message).toMatch(/hello \(not deployed yet\): MCP_REQUEST_STATE_KEY — deploy it once with them: .*--secrets-file/);
    } finally {
      await Promise.all(stops.map((stop) => stop()));
    }
  });
});
