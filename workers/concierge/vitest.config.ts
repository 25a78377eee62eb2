import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { CONNECT_CLIENT, EXCHANGE_CLIENT, REQUEST_STATE_KEY, RESOURCE } from "./test/concierge-test-env.ts";

// concierge inside workerd against its wrangler.toml, acting as the user at the real local
// authorization server, orders-api and the third-party stand-in the global setup starts.
export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          MCP_RESOURCE: RESOURCE,
          AUTH_AUDIENCES: RESOURCE,
          AUTH_ISSUER: inject("issuer"),
          MCP_APIS: JSON.stringify({
            orders: { kind: "first-party", audience: `${inject("ordersUrl")}/`, scopes: ["orders.read"], baseUrl: inject("ordersUrl") },
            github: { kind: "third-party", connection: "github", scopes: ["read:user", "repo"], baseUrl: inject("providerUrl") },
          }),
          MCP_EXCHANGE_CLIENT_ID: EXCHANGE_CLIENT.id,
          MCP_EXCHANGE_CLIENT_SECRET: EXCHANGE_CLIENT.secret,
          MCP_CONNECT_CLIENT_ID: CONNECT_CLIENT.id,
          MCP_CONNECT_CLIENT_SECRET: CONNECT_CLIENT.secret,
          MCP_REQUEST_STATE_KEY: REQUEST_STATE_KEY,
          TEST_SIGNING_JWK: inject("signingJwk"),
          ENVIRONMENT: "test",
        },
      },
    })),
  ],
  test: { globalSetup: ["./test/global-setup.ts"], include: ["test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 120_000, isolate: false },
});
