import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Two projects: the package's behaviour is tested inside real workerd (where it runs in
 * production), and a Node project proves it also runs unchanged in Node (Web APIs only)
 * against a real HTTP JWKS endpoint.
 */
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            miniflare: {
              // No newer than the workerd bundled with the test pool supports.
              compatibilityDate: "2026-10-23",
              compatibilityFlags: ["nodejs_compat"],
              kvNamespaces: ["JWKS_KV"],
            },
          }),
        ],
        // Generous timeouts: CI runs every package's tests at once on two cores, and RSA signing is slow there.
        // One isolate for every file (no worker to load per file): each test builds its own verifier and caches.
        test: { name: "workerd", include: ["test/**/*.test.ts"], exclude: ["test/node/**"], testTimeout: 30_000, isolate: false },
      },
      {
        test: { name: "node", environment: "node", include: ["test/node/**/*.test.ts"], testTimeout: 30_000 },
      },
    ],
  },
});
