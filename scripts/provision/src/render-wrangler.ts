import { workerName, type ServerManifest } from "@edge-mcp/config";

export { workerName };

/** The compatibility date rendered into every worker: no newer than the pinned workerd supports. */
export const COMPATIBILITY_DATE = "2026-10-23";

export interface RenderInput {
  manifest: ServerManifest;
  host: string;
  resource: string;
  audiences: readonly string[];
  /** The scopes the server advertises (its API's scopes). */
  scopes: readonly string[];
  /** Auth0's issuer, or the OAuth facade's in facade mode. */
  issuer: string;
  authMode: "auth0" | "facade";
  /** A gateway's service bindings and rules KV namespace (TOML), or nothing. */
  gateway?: string;
  /** Facade mode: the AUTH_SERVER service binding (TOML), or nothing. */
  facade?: string;
}

function durableObjectsBlock(manifest: ServerManifest): string {
  const objects = [
    ...(manifest.transport === "stateful" ? [{ binding: "MCP_SESSION", className: "McpSession" }] : []),
    ...manifest.durableObjects,
    ...(manifest.rateLimit === undefined ? [] : [{ binding: "RATE_LIMIT", className: "RateLimitCounter" }]),
  ];
  // Every server: the subscriptions/listen bus (MCP 2026-07-28), added in its own migration so
  // that workers deployed before it existed gain it without touching their first migration.
  const bus = { binding: "MCP_EVENTS", className: "McpEventBus" };
  const bindings = [...objects, bus].map((o) => `\n[[durable_objects.bindings]]\nname = "${o.binding}"\nclass_name = "${o.className}"\n`).join("");
  const migration = (tag: string, classes: ReadonlyArray<{ className: string }>) => `\n[[migrations]]\ntag = "${tag}"\nnew_sqlite_classes = [${classes.map((o) => `"${o.className}"`).join(", ")}]\n`;
  return `${bindings}${objects.length > 0 ? migration("v1", objects) + migration("v2", [bus]) : migration("v1", [bus])}`;
}

/** Fills `wrangler.toml.template`. Every placeholder must be known: a typo is an error, not a blank. */
export function renderWranglerToml(template: string, input: RenderInput): string {
  const values: Record<string, string> = {
    name: workerName(input.manifest.slug),
    slug: input.manifest.slug,
    host: input.host,
    resource: input.resource,
    issuer: input.issuer,
    audiences: input.audiences.join(","),
    scopes: input.scopes.join(" "),
    compatibility_date: COMPATIBILITY_DATE,
    transport: input.manifest.transport,
    dev_port: String(input.manifest.dev.port),
    durable_objects: durableObjectsBlock(input.manifest),
    gateway: input.gateway ?? "",
    auth_mode: input.authMode,
    facade: input.facade ?? "",
  };
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new TypeError(`wrangler.toml.template: unknown placeholder {{${key}}}`);
    if (/["\\\r\n]/.test(value) && !["durable_objects", "gateway", "facade"].includes(key)) throw new TypeError(`wrangler.toml.template: unsafe value for {{${key}}}`);
    return value;
  });
}
