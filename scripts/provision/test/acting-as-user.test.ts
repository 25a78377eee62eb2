/**
 * Provisioning what acting as the user needs (issue 25 §5), on the Auth0 fake: per server with
 * mcp.json `apis`, its exchanging client (a Custom API client tied to its API, token exchange, the
 * Token Vault grant), the first-party APIs edge-mcp owns and the client's grant on them, the
 * connect-flow application, Token Vault on the named connection — plan, dry run (0 writes),
 * apply, re-run (0 writes), secrets into .env; routes renders the server's MCP_APIS and clients.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runRoutes } from "../src/routes.ts";
import { BASE_DOMAIN, setup, setupWithCloudflare } from "./helpers.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

const ORDERS = `https://orders-api.${BASE_DOMAIN}/`;
const CONCIERGE = `https://concierge-mcp.${BASE_DOMAIN}/mcp`;
const FLEET = {
  concierge: {
    scopeProfile: "readonly",
    apis: {
      orders: { audience: "https://orders-api.{base_domain}/", scopes: ["orders.read"], baseUrl: "https://orders-api.{base_domain}", owned: true },
      github: { connection: "github", scopes: ["read:user", "repo"], baseUrl: "https://api.github.com" },
    },
  },
};
const envOf = (root: string) => readFileSync(join(root, ".env"), "utf8");

describe("provision for a server's apis", () => {
  it("plans the exchanging client, the owned API and its grant, the connect client and Token Vault; a dry run writes nothing", async () => {
    const s = await setup(FLEET);
    stops.push(() => s.fake.stop());
    const result = await s.run({ dryRun: true });
    expect(s.fake.writes).toBe(0);
    const planned = result.plan.changes.map((c) => `${c.action} ${c.type} ${c.key}`);
    expect(planned).toEqual(expect.arrayContaining([
      "create client concierge-exchange",
      "create client concierge-connect",
      `create resource_server ${ORDERS}`,
      `create client_grant concierge-exchange → ${ORDERS} (user)`,
      "update connection github (Token Vault)",
    ]));
    expect(planned.filter((c) => c.startsWith("create client_grant concierge-connect"))).toEqual([`create client_grant concierge-connect → https://${s.fake.domain}/me/ (user)`]);
  });

  it("applies them as Auth0 holds them, with the secrets in .env; a re-run writes nothing", async () => {
    const s = await setup(FLEET);
    stops.push(() => s.fake.stop());
    const result = await s.run();
    const exchange = [...s.fake.clients.values()].find((c) => c.name === "edge-mcp concierge (token exchange)");
    expect(exchange).toMatchObject({ app_type: "resource_server", resource_server_identifier: CONCIERGE, grant_types: ["urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token"], token_endpoint_auth_method: "client_secret_post" });
    const connect = [...s.fake.clients.values()].find((c) => c.name === "edge-mcp concierge (connect accounts)");
    expect(connect).toMatchObject({ app_type: "regular_web", callbacks: [`https://concierge-mcp.${BASE_DOMAIN}/connect/callback`], grant_types: ["authorization_code"] });
    expect([...s.fake.resourceServers.values()].find((r) => r.identifier === ORDERS)).toMatchObject({ scopes: [{ value: "orders.read" }] });
    expect([...s.fake.grants.values()].find((g) => g.client_id === exchange!.client_id)).toMatchObject({ audience: ORDERS, scope: ["orders.read"] });
    // The connect flow's user access to the My Account API (Connected Accounts).
    expect([...s.fake.grants.values()].find((g) => g.client_id === connect!.client_id)).toMatchObject({ audience: `https://${s.fake.domain}/me/`, scope: ["create:me:connected_accounts"], subject_type: "user" });
    expect(s.fake.connections.get("con_3")!.options).toEqual({ client_id: "gh-app", scope: ["read:user"], federated_connections_access_tokens: { active: true } });
    expect(envOf(s.root)).toContain(`EDGE_MCP_CLIENT_CONCIERGE_EXCHANGE_ID=${exchange!.client_id}`);
    expect(envOf(s.root)).toMatch(/EDGE_MCP_CLIENT_CONCIERGE_EXCHANGE_SECRET=\S{16,}/);
    expect(envOf(s.root)).toContain(`EDGE_MCP_CLIENT_CONCIERGE_CONNECT_ID=${connect!.client_id}`);
    expect(result.text).not.toContain(String(exchange!.client_secret));
    const writes = s.fake.writes;
    expect((await s.run()).plan.changes).toEqual([]);
    expect(s.fake.writes).toBe(writes);
  });

  it("refuses, before any write, when the tenant's My Account API is not activated, saying where to activate it", async () => {
    const s = await setup(FLEET);
    stops.push(() => s.fake.stop());
    s.fake.myAccountApi = false;
    await expect(s.run()).rejects.toThrow(/My Account API \(https:\/\/127\.0\.0\.1:\d+\/me\/\) to connect accounts, and it is not activated: activate it/);
    expect(s.fake.writes).toBe(0);
  });

  it("refuses a connection the tenant does not have, saying what to create, before any write", async () => {
    const s = await setup({ concierge: { apis: { slack: { connection: "slack", baseUrl: "https://slack.com/api" } } } });
    stops.push(() => s.fake.stop());
    await expect(s.run()).rejects.toThrow(/the connection "slack", which this tenant does not have: create it/);
    expect(s.fake.writes).toBe(0);
  });
});

describe("routes for a server's apis", () => {
  it("renders MCP_APIS with the base domain, the client ids, and the client secrets as required Worker secrets", async () => {
    const s = await setupWithCloudflare(FLEET, stops);
    await s.run();
    const idOf = (name: string) => new RegExp(`${name}=(\\S+)`).exec(envOf(s.root))![1]!;
    await runRoutes({ root: s.root, processEnv: { ...s.processEnv, EDGE_MCP_CLIENT_CONCIERGE_EXCHANGE_ID: idOf("EDGE_MCP_CLIENT_CONCIERGE_EXCHANGE_ID"), EDGE_MCP_CLIENT_CONCIERGE_CONNECT_ID: idOf("EDGE_MCP_CLIENT_CONCIERGE_CONNECT_ID") }, requestsPerSecond: 0 });
    const toml = readFileSync(join(s.root, "workers/concierge/wrangler.toml"), "utf8");
    const apis = JSON.parse(/^MCP_APIS = '(.+)'$/m.exec(toml)![1]!) as Record<string, Record<string, unknown>>;
    expect(apis).toEqual({
      orders: { kind: "first-party", audience: ORDERS, scopes: ["orders.read"], baseUrl: `https://orders-api.${BASE_DOMAIN}` },
      github: { kind: "third-party", connection: "github", scopes: ["read:user", "repo"], baseUrl: "https://api.github.com" },
    });
    expect(toml).toContain(`MCP_EXCHANGE_CLIENT_ID = "${idOf("EDGE_MCP_CLIENT_CONCIERGE_EXCHANGE_ID")}"`);
    expect(toml).toMatch(/required = \[.*"MCP_EXCHANGE_CLIENT_SECRET", "MCP_CONNECT_CLIENT_SECRET"\]/);
  });
});
