import { workerTestConfig } from "@edge-mcp/testing/vitest-config";

export default workerTestConfig({ resource: "https://conformance-mcp.example.test/mcp" });
