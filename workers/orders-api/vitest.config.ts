import { workerTestConfig } from "@edge-mcp/testing/vitest-config";

export default workerTestConfig({
  resource: "https://orders.example.test/",
  miniflare: (inject) => ({ bindings: { ORDERS_ISSUER: "https://tenant.example-auth.test/", ORDERS_AUDIENCE: "https://orders.example.test/", ORDERS_JWKS_URI: inject("jwksUri"), ORDERS_TRUSTED_ACTORS: "concierge-exchange" } }),
});
