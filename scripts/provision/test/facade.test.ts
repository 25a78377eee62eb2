/**
 * auth.mode "facade" (issue 11 §2): the provisioner creates the OAuth facade's one confidential
 * Auth0 application (fixed callback, code only), grants it every server's scopes, and `routes`
 * renders workers/oauth/wrangler.toml (its domain, resources, Auth0 client id, KV namespace) and
 * points every server at it (AUTH_MODE, AUTH_ISSUER, the AUTH_SERVER binding).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runRoutes } from "../src/routes.ts";
import { BASE_DOMAIN, setup, setupWithCloudflare, STANDARD_FLEET } from "./helpers.ts";

const FACADE = { auth: { mode: "facade" }, tenant: { dynamicClientRegistration: false } };
const ISSUER = `https://auth.${BASE_DOMAIN}`;
const NOTES = `https://notes-mcp.${BASE_DOMAIN}/mcp`;
const HELLO = `https://hello-mcp.${BASE_DOMAIN}/mcp`;
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});
const envOf = (root: string) => readFileSync(join(root, ".env"), "utf8");

describe('provision with auth.mode "facade"', () => {
  it("creates the facade's confidential application with its one callback and grants it every server's scopes; a re-run writes nothing", async () => {
    const s = await setup(STANDARD_FLEET, FACADE);
    stops.push(() => s.fake.stop());
    const result = await s.run();
    const app = [...s.fake.clients.values()].find((c) => c.name === "edge-mcp OAuth facade");
    expect(app).toMatchObject({ app_type: "regular_web", token_endpoint_auth_method: "client_secret_post", grant_types: ["authorization_code"], callbacks: [`${ISSUER}/callback`] });
    const grants = [...s.fake.grants.values()].filter((g) => g.client_id === app!.client_id);
    expect(grants.map((g) => [g.audience, g.subject_type, g.scope])).toEqual(
      expect.arrayContaining([
        [NOTES, "user", ["prompts.read", "resources.read", "tools.read", "tools.write"]],
        [HELLO, "user", ["prompts.read", "resources.read", "tools.read"]],
      ]),
    );
    // Its credentials go where every created client's go: .env's managed block (names only in the output).
    expect(envOf(s.root)).toContain(`EDGE_MCP_CLIENT_OAUTH_FACADE_ID=${app!.client_id}`);
    expect(envOf(s.root)).toMatch(/EDGE_MCP_CLIENT_OAUTH_FACADE_SECRET=\S{16,}/);
    expect(result.text).not.toContain(String(app!.client_secret));
    const writes = s.fake.writes;
    expect((await s.run()).plan.changes).toEqual([]);
    expect(s.fake.writes).toBe(writes);
  });

  it("refuses facade mode while Auth0's open registration is on, naming the setting, before any write", async () => {
    const s = await setup(STANDARD_FLEET, { auth: { mode: "facade" } });
    stops.push(() => s.fake.stop());
    await expect(s.run()).rejects.toThrow(/tenant\.dynamicClientRegistration.*must be false with auth\.mode "facade"/);
    expect(s.fake.writes).toBe(0);
  });
});

describe('routes with auth.mode "facade"', () => {
  it("renders the facade (domain, resources, scopes, Auth0 client, a KV namespace created once) and points every server at it; a re-run writes nothing", async () => {
    const s = await setupWithCloudflare(STANDARD_FLEET, stops, FACADE);
    mkdirSync(join(s.root, "workers", "oauth", "src"), { recursive: true });
    await s.run();
    const clientId = /EDGE_MCP_CLIENT_OAUTH_FACADE_ID=(\S+)/.exec(envOf(s.root))![1]!;
    const first = await runRoutes({ root: s.root, processEnv: s.processEnv, requestsPerSecond: 0 });
    expect(first.workers.map((w) => [w.slug, w.host, w.written])).toEqual(
      expect.arrayContaining([["oauth", `auth.${BASE_DOMAIN}`, true], ["notes", `notes-mcp.${BASE_DOMAIN}`, true]]),
    );
    const [kv] = [...s.cf.namespaces].filter(([, ns]) => ns.title === "oauth-facade-kv");
    expect(kv).toBeDefined();
    const facade = readFileSync(join(s.root, "workers/oauth/wrangler.toml"), "utf8");
    expect(facade).toContain(`routes = [{ pattern = "auth.${BASE_DOMAIN}", custom_domain = true }]`);
    expect(facade).toContain(`FACADE_ISSUER = "${ISSUER}"`);
    expect(facade).toMatch(/^keep_names = false$/m);
    expect(/FACADE_RESOURCES = "([^"]+)"/.exec(facade)?.[1]?.split(" ").sort()).toEqual([HELLO, NOTES]);
    expect(facade).toContain(`UPSTREAM_CLIENT_ID = "${clientId}"`);
    expect(facade).toContain(`[[kv_namespaces]]\nbinding = "OAUTH_KV"\nid = "${kv![0]}"`);
    expect(facade).not.toContain("UPSTREAM_CLIENT_SECRET ="); // a Worker secret, never in the file
    const notes = readFileSync(join(s.root, "workers/notes/wrangler.toml"), "utf8");
    expect(notes).toContain('AUTH_MODE = "facade"');
    expect(notes).toContain(`AUTH_ISSUER = "${ISSUER}"`);
    expect(notes).toContain('[[services]]\nbinding = "AUTH_SERVER"\nservice = "oauth-facade"');

    const writes = s.cf.calls.filter((c) => !c.startsWith("GET ")).length;
    const again = await runRoutes({ root: s.root, processEnv: s.processEnv, requestsPerSecond: 0 });
    expect(again.workers.every((w) => !w.written)).toBe(true);
    expect(s.cf.calls.filter((c) => !c.startsWith("GET ")).length).toBe(writes);
  });

  it("says to run provision first when the facade's Auth0 application is not known yet, writing nothing", async () => {
    const s = await setupWithCloudflare(STANDARD_FLEET, stops, FACADE);
    mkdirSync(join(s.root, "workers", "oauth", "src"), { recursive: true });
    await expect(runRoutes({ root: s.root, processEnv: s.processEnv, requestsPerSecond: 0 })).rejects.toThrow(/run `npm run provision` first/);
    expect(existsSync(join(s.root, "workers/oauth/wrangler.toml"))).toBe(false);
    expect(existsSync(join(s.root, "workers/notes/wrangler.toml"))).toBe(false);
  });

  it("keeps servers on Auth0 tokens in the default mode: AUTH_MODE auth0, Auth0's issuer, no AUTH_SERVER binding", async () => {
    const s = await setupWithCloudflare(STANDARD_FLEET, stops);
    await runRoutes({ root: s.root, processEnv: s.processEnv, requestsPerSecond: 0 });
    const notes = readFileSync(join(s.root, "workers/notes/wrangler.toml"), "utf8");
    expect(notes).toContain('AUTH_MODE = "auth0"');
    expect(notes).toContain(`AUTH_ISSUER = "https://${s.processEnv.AUTH0_DOMAIN}/"`);
    expect(notes).not.toContain('binding = "AUTH_SERVER"');
    expect(existsSync(join(s.root, "workers/oauth/wrangler.toml"))).toBe(false);
  });
});
