import { jwksControlOutbound } from "@edge-mcp/testing/jwks-control";
import { workerTestConfig } from "@edge-mcp/testing/vitest-config";

/** Tests run inside real workerd against the test worker, with a real JWKS on loopback behind a switch. */
export default workerTestConfig({
  resource: "https://test-mcp.example.test/mcp",
  configPath: "./test/fixtures/wrangler.toml",
  // One isolate for every file: the files share no state they depend on (a test reads what it
  // wrote, and audit lines by its own subjects).
  shareIsolate: true,
  miniflare: (inject) => ({ outboundService: jwksControlOutbound(inject("jwksUri")) }),
});
