/**
 * The operator console as part of the fleet (ecosystem.json operations.console, issue 26 §4):
 * `provision` creates its Auth0 API (the operator scope only), its confidential web application and
 * the grant between them; `routes` renders workers/console/wrangler.toml (its domain, Auth0, a
 * binding to every server, Analytics Engine); `deploy` puts it last and checks its secrets.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadFleet } from "@edge-mcp/config/load";
import { deployOrder } from "../src/deploy.ts";
import { runRoutes } from "../src/routes.ts";
import { BASE_DOMAIN, setup, setupWithCloudflare, STANDARD_FLEET } from "./helpers.ts";

const CONSOLE = { operations: { console: {} } };
const AUDIENCE = `https://console.${BASE_DOMAIN}/`;
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});
const envOf = (root: string) => readFileSync(join(root, ".env"), "utf8");

describe("provision with operations.console", () => {
  it("creates the console's API with the operator scope alone, its web application and their grant; a re-run writes nothing", async () => {
    const s = await setup(STANDARD_FLEET, CONSOLE);
    stops.push(() => s.fake.stop());
    const result = await s.run();
    const api = [...s.fake.resourceServers.values()].find((r) => r.identifier === AUDIENCE);
    expect(api).toMatchObject({ name: "edge-mcp operator console", enforce_policies: true, scopes: [{ value: "fleet.read" }] });
    const app = [...s.fake.clients.values()].find((c) => c.name === "edge-mcp operator console");
    expect(app).toMatchObject({ app_type: "regular_web", token_endpoint_auth_method: "client_secret_post", grant_types: ["authorization_code"], callbacks: [`${AUDIENCE}callback`] });
    const grants = [...s.fake.grants.values()].filter((g) => g.client_id === app!.client_id);
    expect(grants.map((g) => [g.audience, g.subject_type, g.scope])).toEqual([[AUDIENCE, "user", ["fleet.read"]]]);
    expect(envOf(s.root)).toContain(`EDGE_MCP_CLIENT_OPERATOR_CONSOLE_ID=${app!.client_id}`);
    expect(result.text).not.toContain(String(app!.client_secret));
    const writes = s.fake.writes;
    expect((await s.run()).plan.changes).toEqual([]);
    expect(s.fake.writes).toBe(writes);
  });

  it("makes zero writes with --dry-run and plans the console's three objects", async () => {
    const s = await setup(STANDARD_FLEET, CONSOLE);
    stops.push(() => s.fake.stop());
    const result = await s.run({ mode: "plan" });
    expect(s.fake.writes).toBe(0);
    const keys = result.plan.changes.filter((c) => c.action === "create").map((c) => `${c.type} ${c.key}`);
    expect(keys).toEqual(expect.arrayContaining([`resource_server ${AUDIENCE}`, "client operator-console", `client_grant operator-console → ${AUDIENCE} (user)`]));
  });
});

describe("routes and deploy with operations.console", () => {
  it("renders the console on its domain: Auth0 as issuer, a McpBackend binding per server, Analytics Engine, its required secrets", async () => {
    const s = await setupWithCloudflare(STANDARD_FLEET, stops, CONSOLE);
    mkdirSync(join(s.root, "workers", "console", "src"), { recursive: true });
    await s.run();
    const result = await runRoutes({ root: s.root, processEnv: { ...s.processEnv, EDGE_MCP_CLIENT_OPERATOR_CONSOLE_ID: /EDGE_MCP_CLIENT_OPERATOR_CONSOLE_ID=(\S+)/.exec(envOf(s.root))![1]! }, requestsPerSecond: 0 });
    expect(result.workers.find((w) => w.slug === "console")).toMatchObject({ host: `console.${BASE_DOMAIN}`, hostStatus: "free", written: true });
    const toml = readFileSync(join(s.root, "workers", "console", "wrangler.toml"), "utf8");
    expect(toml).toContain(`routes = [{ pattern = "console.${BASE_DOMAIN}", custom_domain = true }]`);
    expect(toml).toContain(`CONSOLE_AUDIENCE = "${AUDIENCE}"`);
    expect(toml).toContain('TELEMETRY_SOURCE = "analytics-engine"');
    expect(toml).toContain('FLEET_SERVERS = "hello notes"');
    expect(toml).toContain('[[services]]\nbinding = "SERVER_NOTES"\nservice = "notes-mcp"\nentrypoint = "McpBackend"');
    expect(toml).toContain('required = ["CONSOLE_CLIENT_SECRET", "CONSOLE_SESSION_KEY", "CF_API_TOKEN"]');
    expect(toml).not.toContain("TELEMETRY_STORE");
    expect(deployOrder(loadFleet(s.root)).map((w) => w.slug)).toEqual(["hello", "notes", "console"]);
  });

  it("says to run provision first when the console's application is not known yet", async () => {
    const s = await setupWithCloudflare(STANDARD_FLEET, stops, CONSOLE);
    mkdirSync(join(s.root, "workers", "console", "src"), { recursive: true });
    await expect(runRoutes({ root: s.root, processEnv: s.processEnv, requestsPerSecond: 0, dryRun: true })).rejects.toThrow(/run `npm run provision` first .*EDGE_MCP_CLIENT_OPERATOR_CONSOLE_ID/);
  });
});
