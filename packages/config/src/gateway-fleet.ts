import type { GatewayConfig } from "./gateway-schema.ts";
import { isFirstParty } from "./apis-schema.ts";
import type { ServerManifest } from "./schemas.ts";

/** The KV binding holding a gateway's rules, and the key `npm run provision -- routes` writes them under. */
export const GATEWAY_RULES_BINDING = "GATEWAY_RULES";
export const GATEWAY_RULES_KEY = "rules";

/** The named entrypoint of every fleet server that a gateway binds to (`@edge-mcp/server`'s `McpBackend`). */
export const BACKEND_ENTRYPOINT = "McpBackend";

/** A fleet server's Worker name: `{slug}-mcp` (its wrangler.toml `name`, and a gateway backend's `service`). */
export function workerName(slug: string): string {
  return `${slug}-mcp`;
}

/** `live-monitor` → `LIVE_MONITOR`: a fleet backend's binding name unless gateway.json gives one. */
export function defaultBinding(backend: string): string {
  return backend.toUpperCase().replaceAll("-", "_");
}

/** One service binding of a gateway to a fleet server's `McpBackend` entrypoint. */
export interface GatewayServiceBinding {
  readonly backend: string;
  readonly binding: string;
  readonly service: string;
  readonly entrypoint: typeof BACKEND_ENTRYPOINT;
}

/**
 * The service bindings a gateway needs: one per fleet backend in its gateway.json. What `npm run
 * dev`, the gateway's tests and the provisioner's rendered wrangler.toml all bind — derived here,
 * never written by hand.
 */
export function gatewayServiceBindings(config: GatewayConfig): GatewayServiceBinding[] {
  return Object.entries(config.backends).flatMap(([backend, b]) =>
    "service" in b ? [{ backend, binding: b.binding ?? defaultBinding(backend), service: b.service, entrypoint: BACKEND_ENTRYPOINT }] : [],
  );
}

/** A gateway.json mistake the schema cannot see: where (a path in the file), what, and how to fix it. */
export interface GatewayProblem {
  readonly path: string;
  readonly message: string;
}

/** A `server.tool` pattern's server part as a matcher (`*` any run of characters). */
function serverMatcher(pattern: string): RegExp {
  const body = pattern.startsWith("!") ? pattern.slice(1) : pattern;
  const server = body.slice(0, body.indexOf("."));
  return new RegExp(`^${server.split("*").map((s) => s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")).join(".*")}$`);
}

/**
 * What a gateway.json gets wrong about the fleet it runs in: a backend naming a Worker that is not
 * one of the fleet's servers (`fleetWorkers`: their Worker names), two backends on one binding, a
 * rule or alias naming a backend gateway.json does not define, the gateway itself (`self`) as a
 * backend. Each a sentence with its fix.
 */
export function gatewayProblems(config: GatewayConfig, fleetWorkers: readonly string[], self?: string): GatewayProblem[] {
  const problems: GatewayProblem[] = [];
  const backends = Object.keys(config.backends);
  const defined = `the backends are: ${backends.join(", ")}`;
  const bindings = new Map<string, string>();
  for (const { backend, binding, service } of gatewayServiceBindings(config)) {
    // Every fleet Worker exports McpBackend (the gateway too, for the operator console): a gateway
    // bound to itself would relay its own calls to itself without end.
    if (service === self) problems.push({ path: `backends.${backend}.service`, message: `names the gateway itself ("${service}"): a gateway cannot be its own backend` });
    else if (!fleetWorkers.includes(service)) {
      problems.push({ path: `backends.${backend}.service`, message: `names the Worker "${service}", which is not a server of this fleet; use one of: ${fleetWorkers.join(", ")} (a remote server takes "url" instead)` });
    }
    const other = bindings.get(binding);
    if (other !== undefined) problems.push({ path: `backends.${backend}.binding`, message: `"${binding}" is already the binding of backend "${other}": give one of them another "binding"` });
    bindings.set(binding, backend);
  }
  config.rules.forEach((rule, i) => {
    for (const field of ["allow", "prompts", "resources"] as const) {
      (rule[field] ?? []).forEach((pattern, j) => {
        const matcher = serverMatcher(pattern);
        if (!backends.some((b) => matcher.test(b))) {
          problems.push({ path: `rules.${i}.${field}.${j}`, message: `"${pattern}" names no backend of this gateway; ${defined}` });
        }
      });
    }
  });
  for (const key of Object.keys(config.aliases)) {
    const backend = key.slice(0, key.indexOf("."));
    if (!backends.includes(backend)) problems.push({ path: `aliases.${key}`, message: `names backend "${backend}", which this gateway does not define; ${defined}` });
  }
  return problems;
}

/**
 * A remote backend reached as each user (`asUser`) must name a first-party API the gateway's
 * mcp.json declares (the exchange's audience), speak 2026-07-28, and carry no shared credential.
 */
export function asUserProblems(config: GatewayConfig, manifest: ServerManifest): GatewayProblem[] {
  const problems: GatewayProblem[] = [];
  for (const [name, backend] of Object.entries(config.backends)) {
    if ("service" in backend || backend.asUser === undefined) continue;
    const api = manifest.apis[backend.asUser];
    if (api === undefined || !isFirstParty(api)) problems.push({ path: `backends.${name}.asUser`, message: `names "${backend.asUser}", which is not a first-party API in workers/${manifest.slug}/mcp.json apis: declare it there (its audience = this backend's API identifier)` });
    if (backend.protocol !== "2026-07-28") problems.push({ path: `backends.${name}.asUser`, message: "is for 2026-07-28 backends only (a 2025 session would be shared by every user)" });
    if (backend.credentialSecret !== undefined) problems.push({ path: `backends.${name}.credentialSecret`, message: "cannot go with asUser: the backend is reached as each user, not with a shared credential" });
  }
  return problems;
}
