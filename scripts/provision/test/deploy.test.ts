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
    expect(result.workers.map((w) => w.slug)).toEqual(["conformance", "gateway", "hello", "live-monitor", "notes"]);
    for (const w of result.workers) {
      expect(w.deployed).toBe(false);
      expect(w.gzipKib).toBeGreaterThan(50);
      expect(w.gzipKib).toBeLessThanOrEqual(300);
    }
    expect(lines[0]).toMatch(/^conformance\s+[\d.]+ KiB\s+gzip\s+[\d.]+ KiB\s+\(dry run: not uploaded\)$/);
  }, 120_000);

  it("refuses a real deploy without Cloudflare credentials, because it must check hostnames first", async () => {
    // A throwaway fleet with no .env, so nothing on this machine can make it really deploy.
    const dir = mkdtempSync(join(tmpdir(), "deploy-"));
    writeFleet(dir, { notes: {} });
    const env = { ECOSYSTEM_BASE_DOMAIN: "mcp.acme.dev", AUTH0_DOMAIN: "tenant.eu.auth0.com", AUTH0_MGMT_CLIENT_ID: "id", AUTH0_MGMT_CLIENT_SECRET: "secret" };
    await expect(runDeploy({ root: dir, processEnv: env })).rejects.toThrow(/set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID/);
  });
});
