import { fileURLToPath } from "node:url";
import { workerTestConfig } from "@edge-mcp/testing/vitest-config";
import { mergeConfig } from "vitest/config";
import { remoteServersOutbound } from "./test/fixtures/remote-servers.ts";
import { stubBackends } from "./test/fixtures/stub-backends.ts";

// notes answers, hello hangs, live-monitor throws, conformance answers: a fleet in every state;
// plus two remote backends (docs: 2026-07-28, wiki: a 2025 session), real SDK servers in Node
// behind Miniflare's outbound hook. The gateway under test is built with the shipped gateway.json
// and those two remotes added (test/fixtures/gateway.with-remotes.json).
export default mergeConfig(
  workerTestConfig({
    resource: "https://gateway-mcp.example.test/mcp",
    miniflare: () => ({
      workers: stubBackends({ "notes-mcp": "answer", "hello-mcp": "hang", "live-monitor-mcp": "throw", "conformance-mcp": "answer" }),
      outboundService: remoteServersOutbound,
      bindings: { DOCS_MCP_TOKEN: "gateway-credential-for-docs", WIKI_MCP_TOKEN: "gateway-credential-for-wiki" },
    }),
  }),
  { resolve: { alias: [{ find: /^\.\.\/gateway\.json$/, replacement: fileURLToPath(new URL("./test/fixtures/gateway.with-remotes.json", import.meta.url).href) }] } },
);
