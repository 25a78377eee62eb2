import { workerTestConfig } from "@edge-mcp/testing/vitest-config";

export default workerTestConfig({ resource: "https://hello-mcp.example.test/mcp" });
