import { isFirstParty, renderedApis, type ServerManifest } from "@edge-mcp/config";
import { connectClientKey, exchangeClientKey } from "./desired-apis.ts";
import { clientEnvNames } from "./env-file.ts";
import { ProvisionError } from "./errors.ts";

/**
 * A server's [vars] for acting as the user: MCP_APIS (its mcp.json `apis`, base domain filled in)
 * as a TOML literal string, and the ids of its exchanging and connect clients from the managed
 * .env block (`npm run provision` writes them). Which client secrets the Worker then requires.
 */
export function apisVars(manifest: ServerManifest, baseDomain: string, env: Readonly<Record<string, unknown>>): { toml: string; exchange: boolean; connect: boolean } | undefined {
  const apis = Object.values(manifest.apis);
  if (apis.length === 0) return undefined;
  const connect = apis.some((api) => !isFirstParty(api));
  const idOf = (key: string) => {
    const name = clientEnvNames(key).id;
    const id = env[name];
    if (typeof id !== "string" || id === "") throw new ProvisionError("config_invalid", `workers/${manifest.slug} declares apis, but ${name} is not known yet: run \`npm run provision\` first (it creates the client and writes ${name} to .env).`);
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new ProvisionError("config_invalid", `${name} is not a client id.`);
    return id;
  };
  const json = renderedApis(manifest.apis, { baseDomain });
  if (json.includes("'")) throw new ProvisionError("config_invalid", `workers/${manifest.slug}/mcp.json apis: a value holds a quote (') the rendered config cannot carry.`);
  const lines = [
    "# Acting as the user (mcp.json apis): what tools may call, and this server's clients at Auth0.",
    `MCP_APIS = '${json}'`,
    `MCP_EXCHANGE_CLIENT_ID = "${idOf(exchangeClientKey(manifest.slug))}"`,
    ...(connect ? [`MCP_CONNECT_CLIENT_ID = "${idOf(connectClientKey(manifest.slug))}"`] : []),
  ];
  return { toml: lines.join("\n"), exchange: true, connect };
}
