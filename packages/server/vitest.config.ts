import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** Tests run inside real workerd against the test worker, with a real JWKS on loopback. */
export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "./test/fixtures/wrangler.toml" },
      miniflare: { bindings: { AUTH_JWKS_URI: inject("jwksUri") } },
    })),
  ],
  test: {
    globalSetup: ["@edge-mcp/testing/global-setup"],
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
  },
});
