import { workerTestConfig } from "@edge-mcp/testing/vitest-config";

export default workerTestConfig({
  resource: "https://orders.example.test/",
  miniflare: (inject) => ({ bindings: { API_ISSUER: "https://tenant.example-auth.test/", API_AUDIENCE: "https://orders.example.test/", API_JWKS_URI: inject("jwksUri"), API_TRUSTED_ACTORS: "concierge-exchange" } }),
});
