import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
// The keys global-setup provides (`inject("jwksUri")`), typed wherever this config is compiled.
import "../provided-context.ts";

export interface WorkerTestConfigOptions {
  /** Extra Miniflare options (e.g. an `outboundService` that controls the JWKS endpoint). */
  miniflare?: (inject: <K extends "jwksUri" | "privateJwk">(key: K) => string) => Record<string, unknown>;
  /** Extra test files to include. */
  include?: string[];
  /** The https resource URL the worker is tested under (`MCP_RESOURCE`, also its audience). */
  resource: string;
  /** The issuer tokens are minted for; default https://tenant.example-auth.test/. */
  issuer?: string;
  /** wrangler config of the worker under test; default ./wrangler.toml. */
  configPath?: string;
  /**
   * Run every test file in one workerd isolate instead of a fresh one per file (vitest `isolate:
   * false`): a file then no longer pays for loading the worker again (0.5–3 s each on this
   * machine). Only for suites whose files do not depend on module state another file leaves.
   */
  shareIsolate?: boolean;
}

export const TEST_ISSUER = "https://tenant.example-auth.test/";

/**
 * The vitest config every MCP worker's tests share: run inside workerd against the worker's
 * own wrangler config, with production-shaped vars (an https resource) and signing keys from
 * the loopback JWKS that `@edge-mcp/testing/global-setup` serves.
 */
export function workerTestConfig({ resource, issuer = TEST_ISSUER, configPath = "./wrangler.toml", miniflare, include, shareIsolate = false }: WorkerTestConfigOptions) {
  return defineConfig({
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath },
        miniflare: (() => {
          const extra = miniflare?.((key) => inject(key)) ?? {};
          // Extra bindings (e.g. a secret) join the production-shaped ones rather than replace them.
          const bindings = { MCP_RESOURCE: resource, AUTH_AUDIENCES: resource, AUTH_ISSUER: issuer, AUTH_JWKS_URI: inject("jwksUri"), ENVIRONMENT: "test", ...(extra.bindings as Record<string, unknown> | undefined) };
          return { ...extra, bindings };
        })(),
      })),
    ],
    // A hang guard, not a performance bound: a file's first test also pays for loading the worker
    // into workerd, which on a loaded 2-core CI machine has taken over 20 s.
    test: { globalSetup: ["@edge-mcp/testing/global-setup"], include: include ?? ["test/**/*.test.ts"], testTimeout: 60_000, ...(shareIsolate ? { isolate: false } : {}) },
  });
}
