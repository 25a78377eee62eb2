import { GatewayConfigSchema } from "@edge-mcp/config";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { backendTargets, type BackendTarget } from "../src/backend-target.ts";
import { Catalog } from "../src/catalog.ts";
import { relay } from "../src/relay.ts";

/**
 * A remote backend that speaks only MCP 2025-11-25, behind the gateway: a real MCP SDK 1.x server
 * (sessions, its own protocol-version checks) answers the gateway's requests in process.
 */
function legacyServer() {
  const transports = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const seen: Array<{ method: string; session: string | null; version: string | null; authorization: string | null; envelope: boolean }> = [];
  const build = async () => {
    const server = new McpServer({ name: "legacy-docs", version: "1.0.0" });
    server.registerTool("lookup", { description: "Looks a word up", inputSchema: { word: z.string() } }, async ({ word }, extra) => {
      await extra.sendNotification({ method: "notifications/progress", params: { progressToken: extra._meta?.progressToken ?? 0, progress: 1, total: 1 } });
      return { content: [{ type: "text", text: `${word}: a word` }] };
    });
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: () => crypto.randomUUID(), onsessioninitialized: (id) => void transports.set(id, transport) });
    await server.connect(transport);
    return transport;
  };
  const fetchImpl = async (input: RequestInfo | URL) => {
    const request = input as Request;
    const body = (await request.clone().json()) as { method: string; params?: { _meta?: Record<string, unknown> } };
    const session = request.headers.get("mcp-session-id");
    seen.push({ method: body.method, session, version: request.headers.get("mcp-protocol-version"), authorization: request.headers.get("authorization"), envelope: Object.keys(body.params?._meta ?? {}).some((k) => k.startsWith("io.modelcontextprotocol/")) });
    const transport = session === null ? await build() : transports.get(session);
    if (transport === undefined) return Response.json({ jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found" } }, { status: 404 });
    return transport.handleRequest(request);
  };
  return { fetchImpl, seen, forget: () => transports.clear() };
}

const config = GatewayConfigSchema.parse({ backends: { docs: { url: "https://docs-mcp.example.test/mcp", protocol: "2025-11-25", credentialSecret: "DOCS_TOKEN" } }, rules: [] });
const caller = { subject: "auth0|alice", clientId: "claude", scopes: ["tools.read"] };
const targetOf = (server: ReturnType<typeof legacyServer>) => backendTargets(config, { DOCS_TOKEN: "gateway-credential" }, server.fetchImpl as typeof fetch).get("docs") as BackendTarget;

describe("a remote backend on the 2025 session protocol", () => {
  it("is listed and called through one session the gateway opens, with its credential and without the 2026 envelope", async () => {
    const server = legacyServer();
    const target = targetOf(server);
    expect(target.era).toBe("legacy");
    const lists = await new Catalog({ timeoutMs: 2_000, maxCacheMs: 60_000, lister: caller }).toolsOf([target], caller);
    expect(lists.get("docs")!.map((t) => t.name)).toEqual(["lookup"]);

    const progress: unknown[] = [];
    const outcome = await relay(target, { method: "tools/call", params: { name: "lookup", arguments: { word: "edge" } }, meta: { progressToken: "p" }, caller, signal: new AbortController().signal, onNotification: (n) => void progress.push(n.params) });
    expect(outcome).toMatchObject({ kind: "result", result: { content: [{ type: "text", text: "edge: a word" }] } });
    expect(progress).toEqual([{ progressToken: "p", progress: 1, total: 1 }]);

    expect(server.seen.map((s) => s.method)).toEqual(["initialize", "notifications/initialized", "tools/list", "tools/call"]);
    const session = server.seen[0 + 2]!.session;
    expect(session).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.seen.slice(1).every((s) => s.session === session && s.version === "2025-11-25")).toBe(true);
    expect(server.seen.every((s) => s.authorization === "Bearer gateway-credential" && !s.envelope)).toBe(true);
  });

  it("opens a new session when the server has forgotten the old one (404)", async () => {
    const server = legacyServer();
    const target = targetOf(server);
    const call = () => relay(target, { method: "tools/call", params: { name: "lookup", arguments: { word: "x" } }, caller, signal: new AbortController().signal });
    expect((await call()).kind).toBe("result");
    server.forget();
    expect(await call()).toMatchObject({ kind: "result", result: { content: [{ type: "text", text: "x: a word" }] } });
    expect(server.seen.filter((s) => s.method === "initialize")).toHaveLength(2);
  });
});
