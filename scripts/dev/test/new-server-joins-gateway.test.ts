/**
 * README "Adding a server", behind the gateway: `npm run provision -- new weather`, then weather
 * added to gateway.json's backends and a rule — and its tools appear at the gateway, with nothing
 * else written by hand (the scaffold exports `McpBackend`; `npm run dev` derives the gateway's
 * service bindings from gateway.json). Runs on a fleet of its own: the repository's gateway worker
 * and a freshly scaffolded server, in a directory under node_modules/.cache (so that both resolve
 * the workspace's packages, as they would in the repository).
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { loadOrCreateSigningKey, mintAccessToken } from "@edge-mcp/dev-auth";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort, startDevEnvironment, type DevEnvironment } from "../src/index.ts";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { connectModern } from "./helpers/modern-http.ts";
import { workerExits } from "./helpers/worker-exits.ts";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const cache = join(repoRoot, "node_modules", ".cache");
mkdirSync(cache, { recursive: true });
const root = mkdtempSync(join(cache, "new-server-fleet-"));
const exits = workerExits();
let env: DevEnvironment;
/** "Uncaught …" lines any worker printed: each reads as a crash in a developer's console. */
const uncaught: string[] = [];

beforeAll(async () => {
  writeFileSync(join(root, "ecosystem.json"), JSON.stringify({ dev: { extraUsers: [{ sub: "dev|bob", name: "Bob", email: "bob@example.dev" }] } }));
  for (const part of ["src", "mcp.json", "wrangler.toml", "package.json"]) cpSync(join(repoRoot, "workers/gateway", part), join(root, "workers/gateway", part), { recursive: true });
  // What the user runs: npm run provision -- new weather.
  await promisify(execFile)(process.execPath, [join(repoRoot, "scripts/provision/src/cli.ts"), "new", "weather", "--dir", root], { cwd: repoRoot });
  // The user writes a tool that announces a change of its tool list (published on the server's event bus).
  const source = join(root, "workers/weather/src/index.ts");
  writeFileSync(
    source,
    readFileSync(source, "utf8").replace(
      "  setup(mcp) {",
      '  setup(mcp, ctx) {\n    mcp.tool("announce", { description: "Announce a tool list change." }, async () => (await ctx.notify?.toolsChanged(), { content: [{ type: "text", text: "announced" }] }));',
    ),
  );
  // The one edit a user makes: weather as a backend, and who may use it.
  writeFileSync(
    join(root, "workers/gateway/gateway.json"),
    JSON.stringify({ backends: { weather: { service: "weather-mcp" } }, rules: [{ name: "alice", when: { sub: "dev|alice" }, allow: ["weather.*"] }] }),
  );
  env = await startDevEnvironment({
    root,
    stateDir: mkdtempSync(join(tmpdir(), "new-server-state-")),
    ports: { issuer: await freePort(), workers: { weather: await freePort(), gateway: await freePort() } },
    keyFile: join(mkdtempSync(join(tmpdir(), "new-server-keys-")), "keys.json"),
    // Keep-alives every second instead of every 15 s: the feeds below see in seconds what took a minute.
    workerVars: { weather: { SSE_KEEPALIVE_S: "1" }, gateway: { SSE_KEEPALIVE_S: "1" } },
    onWorkerExit: exits.onWorkerExit,
    onWorkerOutput: (slug, line) => {
      if (/Uncaught/.test(line)) uncaught.push(`[${slug}] ${line}`);
    },
  });
}, 240_000);

afterEach(exits.check);
afterAll(async () => {
  await env?.stop();
  rmSync(root, { recursive: true, force: true });
}, 60_000);

describe("a newly scaffolded server behind the gateway", () => {
  it("shows its tools at the gateway to the users its rule names, and serves a call through the service binding", async () => {
    const gateway = env.servers.find((s) => s.slug === "gateway")!;
    const key = await loadOrCreateSigningKey(env.keyFile);
    const tokenFor = (subject: string) => mintAccessToken(key, { issuer: env.issuer, audience: gateway.resource, subject, clientId: "new-server-test", scopes: [...gateway.scopes], expiresInSeconds: 900 });

    const alice = await connectModern(gateway.resource, await tokenFor("dev|alice"));
    expect((await alice.listTools()).tools.map((t) => t.name).sort()).toEqual(["weather__announce", "weather__greet"]);
    const greeted = await alice.callTool({ name: "weather__greet", arguments: { name: "Ada" } });
    expect(greeted.content).toEqual([{ type: "text", text: "Hello, Ada (from dev|alice)" }]);
    await alice.close();

    const bob = await connectModern(gateway.resource, await tokenFor("dev|bob"));
    expect((await bob.listTools()).tools).toEqual([]);
    await bob.close();
  }, 90_000);

  it("keeps the consoles quiet after clients of both eras leave: no uncaught error from the backend's event feed", async () => {
    const gateway = env.servers.find((s) => s.slug === "gateway")!;
    const key = await loadOrCreateSigningKey(env.keyFile);
    const token = await mintAccessToken(key, { issuer: env.issuer, audience: gateway.resource, subject: "dev|alice", clientId: "quiet-test", scopes: [...gateway.scopes], expiresInSeconds: 900 });
    // Each client's stream at the gateway (a 2025 session's GET stream, a 2026-07-28 client's
    // subscriptions/listen) follows weather's event feed; a client leaving leaves that feed without a reader.
    const legacy = new Client({ name: "quiet-test", version: "1" });
    await legacy.connect(new StreamableHTTPClientTransport(new URL(gateway.resource), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    expect((await legacy.listTools()).tools.map((t) => t.name)).toContain("weather__greet");
    await legacy.close();
    const modern = await connectModern(gateway.resource, token);
    expect((await modern.listTools()).tools.map((t) => t.name)).toContain("weather__greet");
    await modern.close();
    // The bus's keep-alive (SSE_KEEPALIVE_S, 1 s in this fleet; 15 s by default) writes into such a
    // feed; from about the third one on, each once surfaced in weather's console as "Uncaught Error:
    // Network connection lost." (issue 22 item 8; seen 45 s and 60 s after the clients left with
    // 15 s keep-alives). An absence cannot be awaited: watch the console past ten keep-alives.
    for (let waited = 0; waited < 10_000 && uncaught.length === 0; waited += 500) await new Promise((resolve) => setTimeout(resolve, 500));
    expect(uncaught).toEqual([]);
  }, 90_000);
});
