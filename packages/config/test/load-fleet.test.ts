import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { devResource, productionResource, renderedApis, serverScopes } from "../src/index.ts";
import { ConfigError, loadFleet } from "../src/load.ts";

function fleet(files: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), "fleet-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), typeof content === "string" ? content : JSON.stringify(content));
  }
  return root;
}
const server = (slug: string, port: number, extra: object = {}) => ({ name: slug, slug, transport: "stateless", dev: { port }, ...extra });

describe("loadFleet", () => {
  it("loads the repository's own fleet", () => {
    const loaded = loadFleet(join(import.meta.dirname, "../../.."));
    expect(loaded.servers.map((s) => s.manifest.slug)).toEqual(expect.arrayContaining(["conformance", "hello"]));
  });

  it("applies defaults and derives scopes from the profile plus extra scopes", () => {
    const root = fleet({ "ecosystem.json": {}, "workers/notes/mcp.json": server("notes", 8800, { extraScopes: [{ value: "notes.export", description: "Export notes" }] }) });
    const { ecosystem, servers } = loadFleet(root);
    expect(ecosystem.hostPattern).toBe("{slug}-mcp.{base_domain}");
    expect(serverScopes(ecosystem, servers[0]!.manifest).map((s) => s.value)).toEqual(["resources.read", "prompts.read", "tools.read", "tools.write", "notes.export"]);
    expect(productionResource(ecosystem, servers[0]!.manifest, "example.com")).toBe("https://notes-mcp.example.com/mcp");
    expect(devResource(servers[0]!.manifest)).toBe("http://localhost:8800/mcp");
  });

  it.each([
    ["a slug that differs from its folder", { "ecosystem.json": {}, "workers/notes/mcp.json": server("other", 8800) }, /slug "other" must equal its folder name/],
    ["two servers on one dev port", { "ecosystem.json": {}, "workers/a/mcp.json": server("a", 8800), "workers/b/mcp.json": server("b", 8800) }, /dev.port 8800 is already used by a/],
    ["a dev port equal to the issuer's", { "ecosystem.json": {}, "workers/a/mcp.json": server("a", 9400) }, /already used by the dev authorization server/],
    ["an unknown field (typo)", { "ecosystem.json": {}, "workers/a/mcp.json": server("a", 8800, { trasport: "x" }) }, /Unrecognized key/],
    ["a scope with a space", { "ecosystem.json": {}, "workers/a/mcp.json": server("a", 8800, { extraScopes: [{ value: "a b", description: "x" }] }) }, /extraScopes.0.value must be a scope token/],
    ["invalid JSON", { "ecosystem.json": "{nope" }, /is not valid JSON/],
  ])("rejects %s with a ConfigError naming the file and field", (_name, files, message) => {
    const root = fleet(files);
    expect(() => loadFleet(root)).toThrow(ConfigError);
    expect(() => loadFleet(root)).toThrow(message);
  });

  it("says how to fix a missing ecosystem.json", () => {
    expect(() => loadFleet(fleet({}))).toThrow(/ecosystem.json: not found/);
  });
});

describe("published JSON Schemas", () => {
  it("match the zod schemas (run `npm run schemas -w @edge-mcp/config` after changing them)", async () => {
    const { readFileSync } = await import("node:fs");
    const { configJsonSchemas } = await import("../src/json-schema.ts");
    for (const [file, schema] of Object.entries(configJsonSchemas())) {
      expect(JSON.parse(readFileSync(join(import.meta.dirname, "../schema", file), "utf8"))).toEqual(schema);
    }
  });
});

describe("limits in the schemas", () => {
  const eco = { clients: {} };
  it("refuses a slug longer than 40 characters (a hostname label is at most 63)", () => {
    const slug = `a${"b".repeat(40)}`;
    expect(() => loadFleet(fleet({ "ecosystem.json": eco, [`workers/${slug}/mcp.json`]: server(slug, 8801) }))).toThrow(/slug/);
    const ok = `a${"b".repeat(39)}`;
    expect(loadFleet(fleet({ "ecosystem.json": eco, [`workers/${ok}/mcp.json`]: server(ok, 8801) })).servers).toHaveLength(1);
  });

  it("refuses a scope name longer than 128 characters, in extraScopes and in grants", () => {
    const long = `notes.${"x".repeat(123)}`;
    expect(long.length).toBe(129);
    expect(() => loadFleet(fleet({ "ecosystem.json": eco, "workers/notes/mcp.json": server("notes", 8801, { extraScopes: [{ value: long, description: "d" }] }) }))).toThrow(/extraScopes\.0\.value Too big/);
    expect(() => loadFleet(fleet({ "ecosystem.json": { clients: { ide: { name: "IDE", profile: "native_interactive" } } }, "workers/notes/mcp.json": server("notes", 8801, { grants: { ide: [long] } }) }))).toThrow(/grants\.ide\.0 Too big/);
  });

  it("refuses client and client-group keys longer than 40 characters", () => {
    const key = `c${"x".repeat(40)}`;
    expect(() => loadFleet(fleet({ "ecosystem.json": { clients: { [key]: { name: "C", profile: "service_m2m" } } } }))).toThrow(/clients/);
    expect(() => loadFleet(fleet({ "ecosystem.json": { clientGroups: { [key]: [] } } }))).toThrow(/clientGroups/);
  });
});

describe("the workers' local wrangler.toml", () => {
  it("advertises exactly each server's mcp.json scopes (MCP_SCOPES), so PRM and 401s match what Auth0 defines", () => {
    const root = join(import.meta.dirname, "../../..");
    const loaded = loadFleet(root);
    for (const s of loaded.servers) {
      const toml = readFileSync(join(s.dir, "wrangler.toml"), "utf8");
      const advertised = /^MCP_SCOPES = "([^"]*)"$/m.exec(toml)?.[1];
      expect({ slug: s.manifest.slug, advertised }).toEqual({ slug: s.manifest.slug, advertised: serverScopes(loaded.ecosystem, s.manifest).map((d) => d.value).join(" ") });
    }
  });

  it("bundles without esbuild's keep_names, as the production template does (bench/keep-names.ts: ~9% of a call's CPU)", () => {
    const root = join(import.meta.dirname, "../../..");
    const template = readFileSync(join(root, "wrangler.toml.template"), "utf8");
    expect(template).toMatch(/^keep_names = false$/m);
    for (const s of loadFleet(root).servers) {
      const toml = readFileSync(join(s.dir, "wrangler.toml"), "utf8");
      expect({ slug: s.manifest.slug, keepNamesOff: /^keep_names = false$/m.test(toml) }).toEqual({ slug: s.manifest.slug, keepNamesOff: true });
    }
  });
});

describe("gateway.json, loaded with the fleet", () => {
  const gatewayFleet = (gateway: unknown) =>
    fleet({
      "ecosystem.json": {},
      "workers/notes/mcp.json": server("notes", 8800),
      "workers/gateway/mcp.json": server("gateway", 8801),
      "workers/gateway/gateway.json": gateway,
    });
  const valid = { backends: { notes: { service: "notes-mcp" } }, rules: [{ when: { sub: "dev|alice" }, allow: ["notes.*"] }] };

  it("is validated and handed out with its worker", () => {
    const loaded = loadFleet(gatewayFleet(valid));
    expect(loaded.servers.find((s) => s.manifest.slug === "gateway")?.gateway?.backends).toEqual({ notes: { service: "notes-mcp" } });
    expect(loaded.servers.find((s) => s.manifest.slug === "notes")?.gateway).toBeUndefined();
  });

  it.each([
    ["an unknown key, with its path", { ...valid, rules: [{ when: { sub: "dev|alice" }, alow: ["notes.*"] }] }, /workers\/gateway\/gateway\.json: .*rules\.0 Unrecognized key: "alow".*gateway\.schema\.json/],
    ["broken JSON, at once", "{ \"backends\": {", /workers\/gateway\/gateway\.json: is not valid JSON/],
    ["a rule naming a backend that does not exist", { ...valid, rules: [{ when: { sub: "dev|bob" }, allow: ["notse.*"] }] }, /rules\.0\.allow\.0 "notse\.\*" names no backend of this gateway; the backends are: notes/],
    ["a backend naming a Worker outside the fleet", { ...valid, backends: { notes: { service: "weather-mcp" } } }, /backends\.notes\.service names the Worker "weather-mcp", which is not a server of this fleet; use one of: gateway-mcp, notes-mcp/],
    ["the gateway as its own backend", { ...valid, backends: { notes: { service: "notes-mcp" }, loop: { service: "gateway-mcp" } } }, /backends\.loop\.service names the gateway itself \("gateway-mcp"\): a gateway cannot be its own backend/],
    ["an alias of a backend that does not exist", { ...valid, aliases: { "wiki.search": "search" } }, /aliases\.wiki\.search names backend "wiki"/],
    ["two backends on one binding", { ...valid, backends: { notes: { service: "notes-mcp" }, "notes-too": { service: "notes-mcp", binding: "NOTES" } } }, /backends\.notes-too\.binding "NOTES" is already the binding of backend "notes"/],
    // Issue 25 §6: a remote reached as each user needs a first-party API of the gateway's own mcp.json.
    ["asUser naming no API of the gateway's mcp.json", { ...valid, backends: { ...valid.backends, people: { url: "https://people.example.com/mcp", asUser: "people" } } }, /backends\.people\.asUser names "people", which is not a first-party API in workers\/gateway\/mcp\.json apis/],
    ["asUser on a 2025 remote", { ...valid, backends: { ...valid.backends, people: { url: "https://people.example.com/mcp", protocol: "2025-11-25", asUser: "people" } } }, /asUser is for 2026-07-28 backends only/],
    ["asUser beside a shared credential", { ...valid, backends: { ...valid.backends, people: { url: "https://people.example.com/mcp", asUser: "people", credentialSecret: "PEOPLE_TOKEN" } } }, /credentialSecret cannot go with asUser/],
  ])("refuses %s with a ConfigError naming the file", (_name, gateway, message) => {
    const root = gatewayFleet(gateway);
    expect(() => loadFleet(root)).toThrow(ConfigError);
    expect(() => loadFleet(root)).toThrow(message);
  });

  it("derives the gateway's service bindings from gateway.json (one per fleet backend, to McpBackend)", async () => {
    const { gatewayServiceBindings } = await import("../src/index.ts");
    const gateway = loadFleet(gatewayFleet({ ...valid, backends: { notes: { service: "notes-mcp" }, docs: { url: "https://docs.example.com/mcp" } } })).servers.find((s) => s.gateway)!.gateway!;
    expect(gatewayServiceBindings(gateway)).toEqual([{ backend: "notes", binding: "NOTES", service: "notes-mcp", entrypoint: "McpBackend" }]);
  });
});

describe("ecosystem.json dev settings", () => {
  it("has a facade port and extra dev users, each sub once", () => {
    expect(loadFleet(fleet({ "ecosystem.json": {} })).ecosystem.dev).toMatchObject({ issuerPort: 9400, facadePort: 9410, user: { sub: "dev|alice" }, extraUsers: [] });
    const twice = fleet({ "ecosystem.json": { dev: { extraUsers: [{ sub: "dev|alice", name: "A", email: "a@example.dev" }] } } });
    expect(() => loadFleet(twice)).toThrow(/dev\.extraUsers\.0\.sub "dev\|alice" is already a dev user/);
    const clash = fleet({ "ecosystem.json": { dev: { facadePort: 9400 } } });
    expect(() => loadFleet(clash)).toThrow(/dev\.facadePort must differ from dev\.issuerPort/);
  });
});

describe("mcp.json apis (issue 25 §1)", () => {
  const orders = { audience: "https://orders-api.{base_domain}/", scopes: ["orders.read"], baseUrl: "https://orders-api.{base_domain}", dev: { audience: "http://localhost:8796/", baseUrl: "http://localhost:8796" } };
  const github = { connection: "github", scopes: ["read:user"], baseUrl: "https://api.github.com" };

  it("renders what the worker is given: production URLs with the base domain, or the dev ones", () => {
    const { servers } = loadFleet(fleet({ "ecosystem.json": {}, "workers/concierge/mcp.json": server("concierge", 8800, { apis: { orders, github } }) }));
    const apis = servers[0]!.manifest.apis;
    expect(JSON.parse(renderedApis(apis, { baseDomain: "example.com" }))).toEqual({
      orders: { kind: "first-party", audience: "https://orders-api.example.com/", scopes: ["orders.read"], baseUrl: "https://orders-api.example.com" },
      github: { kind: "third-party", connection: "github", scopes: ["read:user"], baseUrl: "https://api.github.com" },
    });
    expect(JSON.parse(renderedApis(apis, { dev: true })).orders).toMatchObject({ audience: "http://localhost:8796/", baseUrl: "http://localhost:8796" });
    expect(apis.orders && "owned" in apis.orders && apis.orders.owned).toBe(false);
  });

  it.each([
    ["an http base URL off localhost (a token must not travel in the clear)", { orders: { ...orders, baseUrl: "http://orders.example.com" } }, /apis\.orders.*must be an https URL/],
    ["a first-party API without scopes", { orders: { ...orders, scopes: [] } }, /apis\.orders/],
    ["an API name that is not a plain name", { "Orders API": orders }, /must be lowercase letters, digits and dashes/],
    ["an unknown field", { orders: { ...orders, audiance: "x" } }, /Unrecognized key/],
  ])("refuses %s, naming the field", (_name, apis, message) => {
    const root = fleet({ "ecosystem.json": {}, "workers/concierge/mcp.json": server("concierge", 8800, { apis }) });
    expect(() => loadFleet(root)).toThrow(ConfigError);
    expect(() => loadFleet(root)).toThrow(message);
  });
});
