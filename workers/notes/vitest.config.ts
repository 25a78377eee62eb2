import { workerTestConfig } from "@edge-mcp/testing/vitest-config";

export default workerTestConfig({ resource: "https://notes-mcp.example.test/mcp" });
