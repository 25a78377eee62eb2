import { createMcpWorker } from "@edge-mcp/server";
import { setupConformanceFixtures } from "./conformance-fixtures.ts";

/**
 * conformance-mcp: implements the fixtures the official MCP conformance suite
 * (@modelcontextprotocol/conformance) expects, on the stateful transport. `npm run conformance`
 * runs the suite against it under `wrangler dev` with auth disabled (the suite sends no token).
 */
const worker = createMcpWorker({
  name: "conformance",
  version: "1.0.0",
  transport: "stateful",
  capabilities: { logging: {}, completions: {}, resources: { subscribe: true, listChanged: true } },
  setup: setupConformanceFixtures,
});

export default { fetch: worker.fetch };
/** The RPC entrypoint an edge-mcp gateway calls through a service binding (not reachable from the internet). */
export const McpBackend = worker.McpBackend;
export const McpSession = worker.McpSession;
export { McpEventBus } from "@edge-mcp/server";
