/**
 * README "Adding a server", behind the gateway: `npm run provision -- new weather`, then weather
 * added to gateway.json's backends and a rule — and its tools appear at the gateway, with nothing
 * else written by hand (the scaffold exports `McpBackend`; `npm run dev` derives the gateway's
 * service bindings from gateway.json). Runs on a fleet of its own: the repository's gateway worker
 * and a freshly scaffolded server, in a directory under node_modules/.cache (so that both resolve
 * the workspace's packages, as they would in the repository).
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { loadOrCreateSigningKey, mintAccessToken } from "@edge-mcp/dev-auth";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort, startDevEnvironment, type DevEnvironment } from "../src/index.ts";
import { connectModern } from "./helpers/modern-http.ts";
import { workerExits } from "./helpers/worker-exits.ts";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const cache = join(repoRoot, "node_modules", ".cache");
mkdirSync(cache, { recursive: true });
const root = mkdtempSync(join(cache, "new-server-fleet-"));
const exits = workerExits();
let env: DevEnvironment;

beforeAll(async () => {
  writeFileSync(join(root, "ecosystem.json"), JSON.stringify({ dev: { extraUsers: [{ sub: "dev|bob", name: "Bob", email: "bob@example.dev" }] } }));
  for (const part of ["src", "mcp.json", "wrangler.toml", "package.json"]) cpSync(join(repoRoot, "workers/gateway", part), join(root, "workers/gateway", part), { recursive: true });
  // What the user runs: npm run provision -- new weather.
  await promisify(execFile)(process.execPath, [join(repoRoot, "scripts/provision/src/cli.ts"), "new", "weather", "--dir", root], { cwd: repoRoot });
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
    onWorkerExit: exits.onWorkerExit,
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
    expect((await alice.listTools()).tools.map((t) => t.name)).toEqual(["weather__greet"]);
    const greeted = await alice.callTool({ name: "weather__greet", arguments: { name: "Ada" } });
    expect(greeted.content).toEqual([{ type: "text", text: "Hello, Ada (from dev|alice)" }]);
    await alice.close();

    const bob = await connectModern(gateway.resource, await tokenFor("dev|bob"));
    expect((await bob.listTools()).tools).toEqual([]);
    await bob.close();
  }, 60_000);
});
