import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { copyFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Auth0Fake } from "./fakes/auth0-fake.ts";
import { CloudflareFake } from "./fakes/cloudflare-fake.ts";
import { runProvision, type ProvisionOptions } from "../src/index.ts";

export const BASE_DOMAIN = "mcp.acme.dev";

export function writeFleet(root: string, servers: Record<string, object>, ecosystem: object = {}) {
  writeFileSync(join(root, "ecosystem.json"), JSON.stringify({
    clients: {
      cursor: { name: "Cursor", profile: "native_interactive", callbacks: ["http://127.0.0.1/callback"] },
      "ci-bot": { name: "CI bot", profile: "service_m2m" },
    },
    clientGroups: { ides: ["cursor"] },
    ...ecosystem,
  }));
  for (const [slug, manifest] of Object.entries(servers)) {
    mkdirSync(join(root, "workers", slug), { recursive: true });
    writeFileSync(join(root, "workers", slug, "mcp.json"), JSON.stringify({ name: slug, slug, transport: "stateful", dev: { port: 8800 + Object.keys(servers).indexOf(slug) }, ...manifest }));
  }
}

export const STANDARD_FLEET = {
  notes: { grants: { ides: ["tools.read", "tools.write"], "ci-bot": ["tools.read"] } },
  hello: { scopeProfile: "readonly", grants: { cursor: ["tools.read"] } },
};

export async function setup(servers: Record<string, object> = STANDARD_FLEET, ecosystem: object = {}) {
  const fake = new Auth0Fake();
  const domain = await fake.start();
  const root = mkdtempSync(join(tmpdir(), "provision-"));
  writeFleet(root, servers, ecosystem);
  const processEnv = {
    ECOSYSTEM_BASE_DOMAIN: BASE_DOMAIN,
    AUTH0_DOMAIN: domain,
    AUTH0_MGMT_CLIENT_ID: fake.mgmtClientId,
    AUTH0_MGMT_CLIENT_SECRET: fake.mgmtClientSecret,
  };
  // The fake listens on loopback: the provisioner's own fetch speaks http to a loopback tenant.
  const output: string[] = [];
  const run = (options: Partial<ProvisionOptions> = {}) =>
    runProvision({ root, mode: "apply", processEnv, requestsPerSecond: 0, log: (l) => output.push(l), ...options });
  return { fake, root, run, output, processEnv };
}

/** A synthetic fleet: `servers` MCP servers, `clients` applications, every client granted tools.read on every server. */
export function fleetOf(servers: number, clients: number) {
  const clientEntries = Object.fromEntries(
    Array.from({ length: clients }, (_, i) => [`app-${i}`, { name: `App ${i}`, profile: i % 2 === 0 ? "native_interactive" : "service_m2m" }]),
  );
  const ecosystem = { clients: clientEntries, clientGroups: { everyone: Object.keys(clientEntries) } };
  const fleet = Object.fromEntries(Array.from({ length: servers }, (_, i) => [`srv-${i}`, { grants: { everyone: ["tools.read"] } }]));
  return { servers: fleet, ecosystem };
}

const repoTemplate = fileURLToPath(new URL("../../../wrangler.toml.template", import.meta.url));

/** `setup` plus the Cloudflare API fake and the repository's wrangler.toml.template; fakes stopped through `stops`. */
export async function setupWithCloudflare(servers: Record<string, object>, stops: Array<() => Promise<void>>, ecosystem: object = {}) {
  const s = await setup(servers, ecosystem);
  const cf = new CloudflareFake();
  const origin = await cf.start();
  stops.push(() => s.fake.stop(), () => cf.stop());
  copyFileSync(repoTemplate, join(s.root, "wrangler.toml.template"));
  const processEnv = { ...s.processEnv, CLOUDFLARE_API_TOKEN: cf.token, CLOUDFLARE_ACCOUNT_ID: cf.accountId, CLOUDFLARE_API_BASE: `${origin}/client/v4` };
  return { ...s, cf, processEnv };
}
