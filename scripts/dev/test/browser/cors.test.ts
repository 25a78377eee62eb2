/**
 * A browser-based MCP client (MCP Inspector's page, say) on an allowed origin, in a real Chromium:
 * every request it makes is cross-origin, so each needs the CORS preflight to allow its headers.
 * MCP 2026-07-28 adds `Mcp-Method` / `Mcp-Name` to every POST and `Mcp-Param-*` for a tool's
 * `x-mcp-header` parameters (Streamable HTTP §"Standard headers", §"Schema Extension"); a preflight
 * that did not allow them failed every such request with "Failed to fetch" (issue 22 item 1).
 * Checked against a server (conformance: a tool with Mcp-Param headers) and the gateway.
 */
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadOrCreateSigningKey, mintAccessToken } from "@edge-mcp/dev-auth";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort, startDevEnvironment, type DevEnvironment } from "../../src/index.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { workerExits } from "../helpers/worker-exits.ts";

const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));
const exits = workerExits();
let env: DevEnvironment;
let browser: Browser;
let page: Page;
let site: { server: Server; origin: string };

beforeAll(async () => {
  const port = await freePort();
  const server = createServer((_req, res) => void res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>An MCP client in a browser</title>"));
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  site = { server, origin: `http://127.0.0.1:${port}` };
  const workers: Record<string, number> = {};
  for (const slug of ["conformance", "hello", "gateway"]) workers[slug] = await freePort();
  env = await startDevEnvironment({
    root: repoRoot,
    only: ["conformance", "hello", "gateway"],
    allowedOrigins: [site.origin],
    stateDir: mkdtempSync(join(tmpdir(), "browser-cors-state-")),
    ports: { issuer: await freePort(), workers },
    keyFile: join(mkdtempSync(join(tmpdir(), "browser-cors-")), "keys.json"),
    onWorkerExit: exits.onWorkerExit,
  });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(site.origin);
}, 180_000);

afterEach(exits.check);
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (site?.server ? site.server.close(() => resolve()) : resolve()));
  await env?.stop();
}, 60_000);

async function tokenFor(slug: string): Promise<{ url: string; token: string }> {
  const server = env.servers.find((s) => s.slug === slug)!;
  const key = await loadOrCreateSigningKey(env.keyFile);
  return { url: server.resource, token: await mintAccessToken(key, { issuer: env.issuer, audience: server.resource, subject: "dev|alice", clientId: "browser-client", scopes: [...server.scopes], expiresInSeconds: 900 }) };
}

/** A fetch from the page (its origin, its CORS rules): the status and body, or the browser's error. */
function fetchFromPage(url: string, headers: Record<string, string>, body: unknown): Promise<{ status?: number; text?: string; error?: string }> {
  return page.evaluate(
    async ({ url, headers, body }) => {
      try {
        const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
        return { status: res.status, text: await res.text() };
      } catch (error) {
        return { error: String(error) };
      }
    },
    { url, headers, body },
  );
}

/** A 2026-07-28 request as a browser client sends it: the `_meta` envelope and the standard headers. */
function modern(url: string, token: string, method: string, params: Record<string, unknown>, extraHeaders: Record<string, string> = {}) {
  const name = typeof params.name === "string" ? params.name : undefined;
  const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}, "io.modelcontextprotocol/clientInfo": { name: "browser", version: "1" } };
  return fetchFromPage(
    url,
    { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": method, ...(name === undefined ? {} : { "mcp-name": name }), ...extraHeaders },
    { jsonrpc: "2.0", id: 1, method, params: { ...params, _meta: meta } },
  );
}

describe("a browser MCP client on an allowed origin (Chromium)", () => {
  it("calls a tool over MCP 2026-07-28, with Mcp-Method, Mcp-Name and a tool's Mcp-Param-* headers", async () => {
    const { url, token } = await tokenFor("conformance");
    const listed = await modern(url, token, "tools/list", {});
    expect(listed.error).toBeUndefined();
    expect(listed.status).toBe(200);
    expect(listed.text).toContain("test_custom_headers");
    const called = await modern(url, token, "tools/call", { name: "test_custom_headers", arguments: { region: "eu-west", priority: 2 } }, { "mcp-param-region": "eu-west", "mcp-param-priority": "2" });
    expect(called.error).toBeUndefined();
    expect(called.text).toContain("region=eu-west");
  });

  it("calls a tool through the gateway over MCP 2026-07-28", async () => {
    const { url, token } = await tokenFor("gateway");
    const called = await modern(url, token, "tools/call", { name: "hello__echo", arguments: { text: "from a browser" } });
    expect(called.error).toBeUndefined();
    expect(called.status).toBe(200);
    expect(called.text).toContain("from a browser");
  });

  it("still initializes a 2025 session, and reads a 401's challenge (WWW-Authenticate exposed)", async () => {
    const { url, token } = await tokenFor("hello");
    const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "browser", version: "1" } } };
    const ok = await fetchFromPage(url, { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream" }, initialize);
    expect(ok.status).toBe(200);
    const challenge = await page.evaluate(async (u) => (await fetch(u, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).headers.get("www-authenticate"), url);
    expect(challenge).toContain("resource_metadata=");
  });

  it("is refused from an origin that is not allowed (DNS-rebinding defence: the browser gets no answer to read)", async () => {
    const other = await browser.newPage();
    await other.goto(site.origin.replace("127.0.0.1", "localhost"));
    const { url, token } = await tokenFor("conformance");
    const refused = await other.evaluate(async ({ url, token }) => {
      try {
        await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "mcp-method": "tools/list" }, body: "{}" });
        return "answered";
      } catch (error) {
        return String(error);
      }
    }, { url, token });
    expect(refused).toMatch(/Failed to fetch/);
    await other.close();
  });
});
