import { join } from "node:path";
import { gatewayServiceBindings, type ServerManifest } from "@edge-mcp/config";
import type { LoadedServer } from "@edge-mcp/config/load";
import type { DevResourceServer } from "@edge-mcp/dev-auth";
import { METRICS_LOCAL_BINDING } from "./dev-console.ts";
import { FACADE_BINDING, FACADE_WORKER } from "./facade-names.ts";
import type { WorkerLaunch } from "./worker-launcher.ts";

/** Browser origins allowed to call local workers: MCP Inspector's UI. */
export const DEV_ALLOWED_ORIGINS = ["http://localhost:6274", "http://127.0.0.1:6274"];

/** The facade's application at the Auth0 stand-in (the provisioner creates the same in Auth0). */
export const DEV_FACADE_CLIENT_ID = "edge-mcp-facade";

export interface RunningServer {
  readonly slug: string;
  readonly name: string;
  readonly transport: ServerManifest["transport"];
  readonly port: number;
  /** Whether `port` differs from the worker's mcp.json (a token then needs `--resource`). */
  readonly portOverridden: boolean;
  readonly resource: string;
  readonly metadataUrl: string;
  readonly scopes: readonly string[];
}

/** What every server of the run is started with. */
export interface ServerLaunchContext {
  /** The issuer servers trust: the Auth0 stand-in, or the facade in facade mode. */
  readonly issuer: string;
  readonly facade: boolean;
  readonly requestStateKey: string;
  /** Whether metric points go to the console's local store. */
  readonly metricsLocal: boolean;
  /** Origins allowed besides MCP Inspector's. */
  readonly allowedOrigins: readonly string[];
}

/**
 * One MCP server under `npm run dev`: its resource as audience, the issuer, its scopes, the
 * run's secrets and origins, `extraVars` last (acting as the user's `MCP_APIS`, a test's limits);
 * the service bindings it needs for this run only (the facade, a gateway's backends, the console's store).
 */
export function serverLaunch(s: LoadedServer & { readonly configuredPort: number }, api: DevResourceServer, ctx: ServerLaunchContext, extraVars: Readonly<Record<string, string>>): { launch: WorkerLaunch; server: RunningServer } {
  const port = s.manifest.dev.port;
  const launch: WorkerLaunch = {
    cwd: s.dir,
    port,
    vars: {
      MCP_RESOURCE: api.identifier,
      AUTH_ISSUER: ctx.issuer,
      // Always set: a wrangler.toml rendered for production may name either mode.
      AUTH_MODE: ctx.facade ? "facade" : "auth0",
      AUTH_AUDIENCES: api.identifier,
      MCP_SCOPES: api.scopes.join(" "),
      MCP_REQUEST_STATE_KEY: ctx.requestStateKey,
      ALLOWED_ORIGINS: [...DEV_ALLOWED_ORIGINS, ...ctx.allowedOrigins].join(","),
      ENVIRONMENT: "development",
      ...extraVars,
    },
    extraServices: [
      ...(ctx.facade ? [{ binding: FACADE_BINDING, service: FACADE_WORKER }] : []),
      // A gateway's backends: derived from its gateway.json, never hand-written in wrangler.toml.
      ...(s.gateway === undefined ? [] : gatewayServiceBindings(s.gateway)),
      // Metric points to the console's local store (Miniflare drops Analytics Engine writes).
      ...(ctx.metricsLocal ? [METRICS_LOCAL_BINDING] : []),
    ],
  };
  const server: RunningServer = {
    slug: s.manifest.slug,
    name: s.manifest.name,
    transport: s.manifest.transport,
    port,
    portOverridden: port !== s.configuredPort,
    resource: api.identifier,
    metadataUrl: `http://localhost:${port}/.well-known/oauth-protected-resource/mcp`,
    scopes: api.scopes,
  };
  return { launch, server };
}

/** The edge OAuth facade (workers/oauth) in front of the stand-in, for every server's resource. */
export function facadeLaunch(root: string, port: number, upstreamIssuer: string, clientSecret: string, resourceServers: readonly DevResourceServer[]): WorkerLaunch {
  return {
    cwd: join(root, "workers", "oauth"),
    port,
    vars: {
      FACADE_ISSUER: `http://localhost:${port}`,
      FACADE_RESOURCES: resourceServers.map((r) => r.identifier).join(" "),
      FACADE_SCOPES: [...new Set(resourceServers.flatMap((r) => r.scopes))].join(" "),
      UPSTREAM_ISSUER: upstreamIssuer,
      UPSTREAM_CLIENT_ID: DEV_FACADE_CLIENT_ID,
      UPSTREAM_CLIENT_SECRET: clientSecret,
      // Dev only: a CIMD client you are building can serve its document on localhost.
      CIMD_ALLOW_LOOPBACK: "true",
      ENVIRONMENT: "development",
    },
  };
}
