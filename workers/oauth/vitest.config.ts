import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { cimdOutbound } from "./test/fixtures/cimd-documents.ts";

// The facade inside workerd with production-shaped vars: an https issuer and resources. Auth0 is
// not reached by these tests (the sign-in round trip is scripts/dev/test/e2e-facade.test.ts).
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          FACADE_ISSUER: "https://auth.example.test",
          FACADE_RESOURCES: "https://notes-mcp.example.test/mcp https://hello-mcp.example.test/mcp",
          FACADE_SCOPES: "tools.read tools.write",
          UPSTREAM_ISSUER: "https://tenant.example-auth.test/",
          UPSTREAM_CLIENT_ID: "facade-client",
          UPSTREAM_CLIENT_SECRET: "test-secret-of-sufficient-length",
          DCR_PER_IP_PER_HOUR: "3",
          ENVIRONMENT: "test",
        },
        // The facade's only outbound requests here: Client ID Metadata Documents.
        outboundService: cimdOutbound,
      },
    }),
  ],
  test: { include: ["test/**/*.test.ts"], testTimeout: 20_000 },
});
