import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "./wrangler.toml" },
      // The test resource is https (as in production); keys come from the loopback JWKS.
      miniflare: {
        bindings: {
          MCP_RESOURCE: "https://conformance-mcp.example.test/mcp",
          AUTH_AUDIENCES: "https://conformance-mcp.example.test/mcp",
          AUTH_ISSUER: "https://tenant.example-auth.test/",
          AUTH_JWKS_URI: inject("jwksUri"),
          ENVIRONMENT: "test",
        },
      },
    })),
  ],
  test: { globalSetup: ["@edge-mcp/testing/global-setup"], include: ["test/**/*.test.ts"] },
});
