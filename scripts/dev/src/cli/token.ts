/**
 * `npm run -s token -- --server notes --scopes "tools.read tools.write" --sub alice`
 * Prints a development access token for a worker under `npm run dev` (stdout: the token only,
 * so `TOKEN=$(npm run -s token -- …)` works). Signed with the local authorization server's key.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { devIssuer, devResource, serverScopes } from "@edge-mcp/config";
import { loadFleet } from "@edge-mcp/config/load";
import { loadOrCreateSigningKey, mintAccessToken } from "@edge-mcp/dev-auth";

const { values } = parseArgs({
  options: {
    server: { type: "string" },
    scopes: { type: "string" },
    sub: { type: "string", default: "alice" },
    client: { type: "string", default: "dev-cli" },
    "expires-in": { type: "string", default: "3600" },
    /** The audience when the worker runs on a `--port` override: its MCP URL. */
    resource: { type: "string" },
    /** The local issuer's port when `npm run dev` ran with `--issuer-port`. */
    "issuer-port": { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const root = fileURLToPath(new URL("../../../..", import.meta.url));

function fail(message: string): never {
  console.error(`token: ${message}`);
  process.exit(1);
}

const fleet = loadFleet(root);
const slugs = fleet.servers.map((s) => s.manifest.slug);
if (values.server === undefined) fail(`--server is required; one of: ${slugs.join(", ")}`);
const server = fleet.servers.find((s) => s.manifest.slug === values.server)?.manifest ?? fail(`no server "${values.server}"; one of: ${slugs.join(", ")}`);
const defined = serverScopes(fleet.ecosystem, server).map((s) => s.value);
const scopes = values.scopes === undefined ? defined : values.scopes.split(/[\s,]+/).filter(Boolean);
const unknown = scopes.filter((s) => !defined.includes(s));
if (unknown.length > 0) fail(`${server.slug} does not define ${unknown.join(", ")}; it defines: ${defined.join(" ")}`);
const expiresInSeconds = Number(values["expires-in"]);
if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1) fail("--expires-in must be a whole number of seconds");

const subject = values.sub.includes("|") ? values.sub : `dev|${values.sub}`;
const audience = values.resource ?? devResource(server);
const key = await loadOrCreateSigningKey(join(root, ".dev-auth", "keys.json"));
const issuerPort = values["issuer-port"] === undefined ? fleet.ecosystem.dev.issuerPort : Number(values["issuer-port"]);
if (!Number.isInteger(issuerPort)) fail("--issuer-port takes a port number");
const issuer = devIssuer(fleet.ecosystem, issuerPort);
const token = await mintAccessToken(key, { issuer, audience, subject, clientId: values.client, scopes, expiresInSeconds });
if (values.json) {
  console.log(JSON.stringify({ access_token: token, token_type: "Bearer", expires_in: expiresInSeconds, audience, subject, scope: scopes.join(" ") }));
} else {
  console.log(token);
}
