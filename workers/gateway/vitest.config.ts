import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { GatewayConfigSchema, gatewayServiceBindings } from "@edge-mcp/config";
import { workerTestConfig } from "@edge-mcp/testing/vitest-config";
import { mergeConfig } from "vitest/config";
import { remoteServersOutbound } from "./test/fixtures/remote-servers.ts";
import { stubBackends } from "./test/fixtures/stub-backends.ts";

// notes answers, hello hangs, live-monitor throws, conformance answers: a fleet in every state;
// plus two remote backends (docs: 2026-07-28, wiki: a 2025 session), real SDK servers in Node
// behind Miniflare's outbound hook. The gateway under test is built with the shipped gateway.json
// and those two remotes added (test/fixtures/gateway.with-remotes.json); its service bindings are
// derived from that file, as `npm run dev` and the provisioner derive them.
const fixture = fileURLToPath(new URL("./test/fixtures/gateway.with-remotes.json", import.meta.url).href);
const serviceBindings = Object.fromEntries(
  gatewayServiceBindings(GatewayConfigSchema.parse(JSON.parse(readFileSync(fixture, "utf8")))).map((b) => [b.binding, { name: b.service, entrypoint: b.entrypoint }]),
);

export default mergeConfig(
  workerTestConfig({
    resource: "https://gateway-mcp.example.test/mcp",
    // One isolate for every file: a file that depends on rules sets them and waits until they are
    // in force (test/helpers/rules-in-force.ts), whatever another file left.
    shareIsolate: true,
    miniflare: () => ({
      workers: stubBackends({ "notes-mcp": "answer", "hello-mcp": "hang", "live-monitor-mcp": "throw", "conformance-mcp": "answer" }),
      outboundService: remoteServersOutbound,
      serviceBindings,
      bindings: { DOCS_MCP_TOKEN: "gateway-credential-for-docs", WIKI_MCP_TOKEN: "gateway-credential-for-wiki" },
    }),
  }),
  { resolve: { alias: [{ find: /^\.\.\/gateway\.json$/, replacement: fixture }] } },
);
