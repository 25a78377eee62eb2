import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runRoutes } from "../src/routes.ts";
import type { CloudflareFake } from "./fakes/cloudflare-fake.ts";
import { setupWithCloudflare } from "./helpers.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

const GATEWAY = {
  backends: { notes: { service: "notes-mcp" }, "hello-world": { service: "hello-world-mcp" }, docs: { url: "https://docs.example.com/mcp", credentialSecret: "DOCS_TOKEN" } },
  rules: [{ name: "alice", when: { sub: "dev|alice" }, allow: ["notes.*", "hello-world.*"] }],
};

async function withGateway(gateway: object = GATEWAY) {
  const s = await setupWithCloudflare({ notes: {}, "hello-world": { transport: "stateless" }, gateway: { transport: "stateless" } }, stops);
  writeFileSync(join(s.root, "workers/gateway/gateway.json"), JSON.stringify(gateway));
  return s;
}
const writes = (cf: CloudflareFake) => cf.calls.filter((c) => !c.startsWith("GET "));

describe("routes for a gateway (workers/<slug>/gateway.json)", () => {
  it("renders a service binding per fleet backend and the rules namespace, created once; pushes the rules; a re-run writes nothing", async () => {
    const { root, processEnv, cf } = await withGateway();
    cf.maxPerPage = 2; // the namespace listing is paginated
    for (let i = 0; i < 5; i++) cf.namespaces.set(`${i}`.repeat(32), { title: `other-${i}`, values: new Map() });
    const first = await runRoutes({ root, processEnv, requestsPerSecond: 0 });
    const [created] = [...cf.namespaces].filter(([, ns]) => ns.title === "gateway-mcp-rules");
    expect(created).toBeDefined();
    expect(first.gateways).toEqual([{ slug: "gateway", namespaceId: created![0], namespaceCreated: true, rules: "written" }]);
    const toml = readFileSync(join(root, "workers/gateway/wrangler.toml"), "utf8");
    expect(toml).toContain('[[services]]\nbinding = "NOTES"\nservice = "notes-mcp"\nentrypoint = "McpBackend"');
    expect(toml).toContain('[[services]]\nbinding = "HELLO_WORLD"\nservice = "hello-world-mcp"\nentrypoint = "McpBackend"');
    expect(toml).toContain(`[[kv_namespaces]]\nbinding = "GATEWAY_RULES"\nid = "${created![0]}"`);
    expect(toml).not.toContain("docs.example.com"); // a remote backend needs no binding
    expect(readFileSync(join(root, "workers/notes/wrangler.toml"), "utf8")).not.toContain("[[services]]");
    expect(JSON.parse(created![1].values.get("rules")!)).toEqual({ rules: GATEWAY.rules, aliases: {} });

    const before = writes(cf).length;
    const again = await runRoutes({ root, processEnv, requestsPerSecond: 0 });
    expect(again.gateways).toEqual([{ slug: "gateway", namespaceId: created![0], namespaceCreated: false, rules: "unchanged" }]);
    expect(writes(cf).length).toBe(before);
  });

  it("pushes changed rules without touching anything else", async () => {
    const { root, processEnv, cf } = await withGateway();
    await runRoutes({ root, processEnv, requestsPerSecond: 0 });
    writeFileSync(join(root, "workers/gateway/gateway.json"), JSON.stringify({ ...GATEWAY, rules: [...GATEWAY.rules, { when: { sub: "dev|bob" }, allow: ["hello-world.*"] }] }));
    const before = writes(cf);
    expect((await runRoutes({ root, processEnv, requestsPerSecond: 0 })).gateways[0]!.rules).toBe("written");
    expect(writes(cf).slice(before.length)).toEqual([expect.stringMatching(/^PUT \/client\/v4\/accounts\/.*\/storage\/kv\/namespaces\/[0-9a-f]{32}\/values\/rules$/)]);
  });

  it("makes zero writes with --dry-run when the rules namespace exists and the rules changed (it would write them, and says so)", async () => {
    const { root, processEnv, cf } = await withGateway();
    await runRoutes({ root, processEnv, requestsPerSecond: 0 });
    const [id, namespace] = [...cf.namespaces].find(([, ns]) => ns.title === "gateway-mcp-rules")!;
    const pushed = namespace.values.get("rules");
    writeFileSync(join(root, "workers/gateway/gateway.json"), JSON.stringify({ ...GATEWAY, rules: [...GATEWAY.rules, { when: { sub: "dev|bob" }, allow: ["hello-world.*"] }] }));
    const before = writes(cf).length;
    const result = await runRoutes({ root, processEnv, requestsPerSecond: 0, dryRun: true });
    expect(result.gateways).toEqual([{ slug: "gateway", namespaceId: id, namespaceCreated: false, rules: "would write" }]);
    expect(writes(cf).length).toBe(before);
    expect(namespace.values.get("rules")).toBe(pushed);
  });

  it("makes zero writes with --dry-run", async () => {
    const { root, processEnv, cf } = await withGateway();
    const result = await runRoutes({ root, processEnv, requestsPerSecond: 0, dryRun: true });
    expect(result.gateways).toEqual([{ slug: "gateway", namespaceId: null, namespaceCreated: false, rules: "would write" }]);
    expect(writes(cf)).toEqual([]);
    expect(existsSync(join(root, "workers/gateway/wrangler.toml"))).toBe(false);
  });

  it("refuses a backend that is not a worker of the fleet, and an invalid gateway.json, naming the field", async () => {
    const { root, processEnv } = await withGateway({ ...GATEWAY, backends: { stranger: { service: "someone-elses-worker" } } });
    await expect(runRoutes({ root, processEnv, requestsPerSecond: 0 })).rejects.toThrow(/gateway\.json: backends\.stranger\.service names the Worker "someone-elses-worker", which is not a server of this fleet/);
    writeFileSync(join(root, "workers/gateway/gateway.json"), JSON.stringify({ ...GATEWAY, rules: [{ when: {}, allow: ["*"] }] }));
    await expect(runRoutes({ root, processEnv, requestsPerSecond: 0 })).rejects.toThrow(/gateway\.json: rules\.0\.when needs at least one of sub, claim, scope/);
  });

  it("renders with GATEWAY_RULES_KV_ID when there are no Cloudflare credentials, and says the rules were not pushed", async () => {
    const { root, processEnv } = await withGateway();
    const { CLOUDFLARE_API_TOKEN: _t, CLOUDFLARE_ACCOUNT_ID: _a, ...offline } = processEnv;
    await expect(runRoutes({ root, processEnv: offline, requestsPerSecond: 0 })).rejects.toThrow(/set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID .* or GATEWAY_RULES_KV_ID/);
    const id = "ab".repeat(16);
    const result = await runRoutes({ root, processEnv: { ...offline, GATEWAY_RULES_KV_ID: id }, requestsPerSecond: 0 });
    expect(result.gateways).toEqual([{ slug: "gateway", namespaceId: id, namespaceCreated: false, rules: "not pushed" }]);
    expect(readFileSync(join(root, "workers/gateway/wrangler.toml"), "utf8")).toContain(`id = "${id}"`);
  });
});
