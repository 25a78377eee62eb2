import { workerTestConfig } from "@edge-mcp/testing/vitest-config";

/** Tests run inside real workerd against the test worker, with a real JWKS on loopback. */
export default workerTestConfig({ resource: "https://test-mcp.example.test/mcp", configPath: "./test/fixtures/wrangler.toml" });
