import { workerTestConfig } from "@edge-mcp/testing/vitest-config";

export default workerTestConfig({ resource: "https://live-monitor-mcp.example.test/mcp" });
