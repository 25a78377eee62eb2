import { workerTestConfig } from "@edge-mcp/testing/vitest-config";
import { stubBackends } from "./test/fixtures/stub-backends.ts";

// notes answers, hello hangs, live-monitor throws, conformance answers: a fleet in every state.
export default workerTestConfig({
  resource: "https://gateway-mcp.example.test/mcp",
  miniflare: () => ({ workers: stubBackends({ "notes-mcp": "answer", "hello-mcp": "hang", "live-monitor-mcp": "throw", "conformance-mcp": "answer" }) }),
});
