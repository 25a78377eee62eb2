/**
 * `npm run -s token -- --server notes --scopes "tools.read tools.write" --sub alice`
 * Prints a development access token for a worker under `npm run dev` (stdout: the token only,
 * so `TOKEN=$(npm run -s token -- …)` works). Signed with the local authorization server's key.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { devIssuer, devResource, serverScopes } from "@edge-mcp/config";
import { loadFleet } from "@edge-mcp/config/load";
import { loadOrCreateSigningKey, mintAccessToken } from "@edge-mcp/dev-auth";
import pkg from "../../package.json" with { type: "json" };
import { createCli, portNumber, runCli, USAGE_EXIT_CODE, wholeNumber } from "../cli-kit.ts";

const root = fileURLToPath(new URL("../../../..", import.meta.url));
const MAX_EXPIRES_IN_SECONDS = 30 * 86_400;

const program = createCli({
  name: "token",
  script: "npm run -s token",
  version: pkg.version,
  description: "Print a development access token for a worker under `npm run dev`, signed with the local authorization server's key (stdout: the token only).",
  examples: [
    'TOKEN=$(npm run -s token -- --server notes --scopes "tools.read tools.write" --sub alice)',
    "npm run -s token -- --server hello --json",
    "npm run -s token -- --server notes --issuer-port 9500 --resource http://localhost:9789/mcp   # after npm run dev -- --issuer-port 9500 --port notes=9789",
  ],
})
  .option("--server <slug>", "the worker the token is for (its slug); required")
  .option("--scopes <scopes>", "space- or comma-separated scopes (default: every scope the server defines)")
  .option("--sub <subject>", "the user; `alice` becomes `dev|alice`", "alice")
  .option("--client <id>", "the client id in the token (azp / client_id)", "dev-cli")
  .option("--expires-in <seconds>", `lifetime, 1 to ${MAX_EXPIRES_IN_SECONDS}`, wholeNumber(1, MAX_EXPIRES_IN_SECONDS, "seconds"), 3600)
  .option("--resource <url>", "the audience, when the worker runs on a `--port` override: its MCP URL")
  .option("--issuer-port <port>", "the local issuer's port, when `npm run dev` ran with --issuer-port", portNumber)
  .option("--json", "print a token response as JSON instead of the bare token", false)
  .action(async (values: { server?: string; scopes?: string; sub: string; client: string; expiresIn: number; resource?: string; issuerPort?: number; json: boolean }) => {
    const fleet = loadFleet(root);
    const slugs = fleet.servers.map((s) => s.manifest.slug);
    if (values.server === undefined) usage(`--server is required; one of: ${slugs.join(", ")}`);
    const server = fleet.servers.find((s) => s.manifest.slug === values.server)?.manifest;
    if (server === undefined) usage(`--server: no server "${values.server}"; one of: ${slugs.join(", ")}`);
    const defined = serverScopes(fleet.ecosystem, server).map((s) => s.value);
    const scopes = values.scopes === undefined ? defined : values.scopes.split(/[\s,]+/).filter(Boolean);
    const unknown = scopes.filter((s) => !defined.includes(s));
    if (unknown.length > 0) usage(`--scopes: ${server.slug} does not define ${unknown.join(", ")}; it defines: ${defined.join(" ")}`);
    if (values.resource !== undefined && !URL.canParse(values.resource)) usage(`--resource: "${values.resource}" is not a URL`);

    const subject = values.sub.includes("|") ? values.sub : `dev|${values.sub}`;
    const audience = values.resource ?? devResource(server);
    const key = await loadOrCreateSigningKey(join(root, ".dev-auth", "keys.json"));
    const issuer = devIssuer(fleet.ecosystem, values.issuerPort ?? fleet.ecosystem.dev.issuerPort);
    const token = await mintAccessToken(key, { issuer, audience, subject, clientId: values.client, scopes, expiresInSeconds: values.expiresIn });
    if (values.json) {
      console.log(JSON.stringify({ access_token: token, token_type: "Bearer", expires_in: values.expiresIn, audience, subject, scope: scopes.join(" ") }));
    } else {
      console.log(token);
    }
  });

/** A bad value found after parsing: one line and exit code 2, like commander's own mistakes. */
function usage(message: string): never {
  return program.error(message, { exitCode: USAGE_EXIT_CODE });
}

await runCli(program, "npm run -s token");
