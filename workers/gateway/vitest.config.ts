import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { GatewayConfigSchema, gatewayServiceBindings } from "@edge-mcp/config";
import { workerTestConfig } from "@edge-mcp/testing/vitest-config";
import { mergeConfig } from "vitest/config";
import { remoteServersOutbound } from "./test/fixtures/remote-servers.ts";
import { GATEWAY_EXCHANGE_CLIENT } from "./test/fixtures/token-exchange-stand-in.ts";
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
    miniflare: (inject) => ({
      workers: stubBackends({ "notes-mcp": "answer", "hello-mcp": "hang", "live-monitor-mcp": "throw", "conformance-mcp": "answer" }),
      outboundService: remoteServersOutbound(inject("jwksUri"), inject("privateJwk")),
      serviceBindings,
      bindings: {
        DOCS_MCP_TOKEN: "gateway-credential-for-docs",
        WIKI_MCP_TOKEN: "gateway-credential-for-wiki",
        // people is reached as each user: the gateway's declared API and its exchanging client.
        MCP_APIS: JSON.stringify({ people: { kind: "first-party", audience: "https://people-mcp.example.test/mcp", scopes: ["people.read"], baseUrl: "https://people-mcp.example.test" } }),
        MCP_EXCHANGE_CLIENT_ID: GATEWAY_EXCHANGE_CLIENT.id,
        MCP_EXCHANGE_CLIENT_SECRET: GATEWAY_EXCHANGE_CLIENT.secret,
        // The gateway wraps remote backends' MRTR state in its own, signed with this key.
        MCP_REQUEST_STATE_KEY: "gateway-test-request-state-key-0123456789",
      },
    }),
  }),
  { resolve: { alias: [{ find: /^\.\.\/gateway\.json$/, replacement: fixture }] } },
);
