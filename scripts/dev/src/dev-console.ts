import { OPERATOR_SCOPE } from "@edge-mcp/auth";
import { CONSOLE_WORKER, workerName, type Ecosystem } from "@edge-mcp/config";
import type { DevResourceServer } from "@edge-mcp/dev-auth";
import type { ServiceBinding } from "./wrangler-dev.ts";

/** Its application at the Auth0 stand-in (a regular web application in Auth0). */
export const DEV_CONSOLE_CLIENT_ID = "edge-mcp-console";

/**
 * The binding a server writes its metric points to under `npm run dev` (`LOCAL_METRICS_BINDING` of
 * `@edge-mcp/server`): the console's TelemetryIngest, since Miniflare drops Analytics Engine writes.
 */
export const METRICS_LOCAL_BINDING: ServiceBinding = Object.freeze({ binding: "MCP_METRICS_LOCAL", service: CONSOLE_WORKER, entrypoint: "TelemetryIngest" });

/** The console's URL (also its API identifier: the audience of its session tokens). */
export function consoleUrl(port: number): string {
  return `http://localhost:${port}/`;
}

/** Who holds the operator scope at the stand-in: ecosystem.json `dev.operators`, else the dev user. */
export function devOperators(ecosystem: Ecosystem): { scope: string; subjects: string[] } {
  return { scope: OPERATOR_SCOPE, subjects: [...(ecosystem.dev.operators ?? [ecosystem.dev.user.sub])] };
}

/** What the stand-in needs for the console: its API (the operator scope) and its web application. */
export function consoleAtStandIn(port: number, clientSecret: string): { resourceServer: DevResourceServer; webClient: { clientId: string; clientSecret: string; redirectUris: string[]; name: string } } {
  return {
    resourceServer: { slug: "console", name: "edge-mcp operator console", identifier: consoleUrl(port), scopes: [OPERATOR_SCOPE] },
    webClient: { clientId: DEV_CONSOLE_CLIENT_ID, clientSecret, redirectUris: [`${consoleUrl(port)}callback`], name: "edge-mcp operator console" },
  };
}

/** The console's vars and bindings for one run: the stand-in as issuer, every started server by binding, the local store. */
export function consoleRun(options: { port: number; issuer: string; clientSecret: string; sessionKey: string; servers: ReadonlyArray<{ slug: string }> }): { vars: Record<string, string>; services: ServiceBinding[] } {
  return {
    vars: {
      CONSOLE_ISSUER: options.issuer,
      CONSOLE_AUDIENCE: consoleUrl(options.port),
      CONSOLE_CLIENT_ID: DEV_CONSOLE_CLIENT_ID,
      CONSOLE_CLIENT_SECRET: options.clientSecret,
      CONSOLE_SESSION_KEY: options.sessionKey,
      FLEET_SERVERS: options.servers.map((s) => s.slug).join(" "),
      TELEMETRY_SOURCE: "local",
      ENVIRONMENT: "development",
    },
    // The same binding names the console's production config uses (SERVER_<SLUG> → McpBackend).
    services: options.servers.map((s) => ({ binding: `SERVER_${s.slug.toUpperCase().replace(/-/g, "_")}`, service: workerName(s.slug), entrypoint: "McpBackend" })),
  };
}
