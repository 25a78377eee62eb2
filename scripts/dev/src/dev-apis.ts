import { isFirstParty, renderedApis, type ServerManifest } from "@edge-mcp/config";
import type { ConnectionProvider, DevExchangeClient, DevResourceServer } from "@edge-mcp/dev-auth";

/** The third-party stand-in's application at itself: the connection's client, as Auth0 holds it. */
export const DEV_PROVIDER_CLIENT = Object.freeze({ id: "auth0-connection", secret: "local-connection-secret-0123456789" });

/** A first-party API's Worker `npm run dev` starts (mcp.json `apis.<name>.dev.worker`). */
export interface ApiWorkerRun {
  readonly worker: string;
  readonly port: number;
  readonly vars: Record<string, string>;
}

/** What acting as the user needs under `npm run dev`, from the selected servers' mcp.json `apis`. */
export interface DevApisPlan {
  /** First-party APIs as APIs of the stand-in (their scopes). */
  readonly resourceServers: DevResourceServer[];
  /** One exchanging client per server that declares APIs (an Auth0 Custom API client). */
  readonly exchangeClients: DevExchangeClient[];
  /** One connect-flow web client per server that declares a third-party API. */
  readonly webClients: Array<{ clientId: string; clientSecret: string; redirectUris: string[]; name: string }>;
  /** The connections, all served by the third-party stand-in. */
  readonly connections: (providerOrigin: string) => ConnectionProvider[];
  /** The API workers to start. */
  readonly apiWorkers: ApiWorkerRun[];
  /** Vars each server gets: MCP_APIS and its clients. */
  readonly serverVars: (slug: string) => Record<string, string>;
  /** Whether the third-party stand-in must run. */
  readonly thirdParty: boolean;
}

const exchangeId = (slug: string) => `${slug}-exchange`;
const connectId = (slug: string) => `${slug}-connect`;

/**
 * The stand-in's side of each server's `apis` and the vars the servers get: exchange and connect
 * clients with local secrets (`secretFor`), the first-party APIs with their dev audiences, every
 * connection pointed at the third-party stand-in. A server's resource is its dev URL.
 */
export function planDevApis(servers: ReadonlyArray<{ manifest: ServerManifest; resource: string }>, issuer: string, secretFor: (name: string) => string, local: { providerOrigin: string; apiPorts?: Readonly<Record<string, number>> }): DevApisPlan {
  /** A dev URL on another port when its worker was moved (tests, `--port`). */
  const moved = (url: string, worker: string | undefined) => {
    const port = worker === undefined ? undefined : local.apiPorts?.[worker];
    if (port === undefined) return url;
    const u = new URL(url);
    u.port = String(port);
    return url.endsWith("/") || u.pathname !== "/" ? u.toString() : u.toString().replace(/\/$/, "");
  };
  const resourceServers = new Map<string, DevResourceServer>();
  const exchangeClients: DevExchangeClient[] = [];
  const webClients: DevApisPlan["webClients"] = [];
  const connections = new Set<string>();
  const apiWorkers = new Map<string, ApiWorkerRun>();
  const vars = new Map<string, Record<string, string>>();
  for (const { manifest, resource } of servers) {
    const apis = Object.entries(manifest.apis);
    if (apis.length === 0) continue;
    const slug = manifest.slug;
    const audiences: string[] = [];
    const serverConnections: string[] = [];
    for (const [name, api] of apis) {
      if (isFirstParty(api)) {
        const audience = moved(api.dev?.audience ?? api.audience, api.dev?.worker);
        audiences.push(audience);
        const known = resourceServers.get(audience);
        resourceServers.set(audience, { slug: name, name, identifier: audience, scopes: [...new Set([...(known?.scopes ?? []), ...api.scopes])] });
        if (api.dev?.worker !== undefined) {
          const port = Number(new URL(moved(api.dev.baseUrl, api.dev.worker)).port);
          const running = apiWorkers.get(api.dev.worker);
          const actors = [...new Set([...(running?.vars.API_TRUSTED_ACTORS ?? "").split(" ").filter((a) => a !== ""), exchangeId(slug)])];
          apiWorkers.set(api.dev.worker, { worker: api.dev.worker, port, vars: { API_ISSUER: issuer, API_AUDIENCE: audience, API_TRUSTED_ACTORS: actors.join(" ") } });
        }
      } else {
        serverConnections.push(api.connection);
        connections.add(api.connection);
      }
    }
    exchangeClients.push({ clientId: exchangeId(slug), clientSecret: secretFor(exchangeId(slug)), api: resource, audiences, connections: serverConnections });
    // Locally: first-party URLs where their workers run, every third-party API at the stand-in.
    const rendered = JSON.parse(renderedApis(manifest.apis, { dev: true })) as Record<string, { kind: string; audience?: string; baseUrl: string }>;
    for (const [name, api] of Object.entries(rendered)) {
      const declared = manifest.apis[name]!;
      const worker = isFirstParty(declared) ? declared.dev?.worker : undefined;
      if (api.kind === "third-party") api.baseUrl = local.providerOrigin;
      else Object.assign(api, { audience: moved(api.audience!, worker), baseUrl: moved(api.baseUrl, worker) });
    }
    const serverVars: Record<string, string> = { MCP_APIS: JSON.stringify(rendered), MCP_EXCHANGE_CLIENT_ID: exchangeId(slug), MCP_EXCHANGE_CLIENT_SECRET: secretFor(exchangeId(slug)) };
    if (serverConnections.length > 0) {
      webClients.push({ clientId: connectId(slug), clientSecret: secretFor(connectId(slug)), redirectUris: [`${new URL(resource).origin}/connect/callback`], name: `${manifest.name} (connect accounts)` });
      Object.assign(serverVars, { MCP_CONNECT_CLIENT_ID: connectId(slug), MCP_CONNECT_CLIENT_SECRET: secretFor(connectId(slug)) });
    }
    vars.set(slug, serverVars);
  }
  return {
    resourceServers: [...resourceServers.values()],
    exchangeClients,
    webClients,
    connections: (origin) => [...connections].map((connection) => ({ connection, authorizationEndpoint: `${origin}/login/oauth/authorize`, tokenEndpoint: `${origin}/login/oauth/access_token`, clientId: DEV_PROVIDER_CLIENT.id, clientSecret: DEV_PROVIDER_CLIENT.secret, scopes: ["read:user", "repo"] })),
    apiWorkers: [...apiWorkers.values()],
    serverVars: (slug) => vars.get(slug) ?? {},
    thirdParty: connections.size > 0,
  };
}
