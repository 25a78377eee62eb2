import { workerName, type ServerManifest } from "@edge-mcp/config";
import { durableObjectClasses, migrationsToml, type DurableObjectClass, type Migration } from "./migrations.ts";
import { secretsBlock } from "./required-secrets.ts";

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
  /** The worker's Durable Object migration history, append-only (migrations.ts). */
  migrations: readonly Migration[];
  /** The Worker secrets it cannot serve without (required-secrets.ts). */
  secrets: readonly string[];
  /** The Analytics Engine dataset of the fleet's metric points (ecosystem.json operations.metricsDataset). */
  metricsDataset: string;
  /** Acting as the user (mcp.json apis): the MCP_APIS JSON and the server's client ids, as [vars] lines. */
  apis?: string;
  /** OTLP destinations for traces, and the share of requests traced (ecosystem.json operations). */
  traces: { readonly destinations: readonly string[]; readonly sampleRate: number };
}

/** The classes' bindings and the worker's whole migration history (migrations.ts). */
function durableObjectsBlock(classes: readonly DurableObjectClass[], history: readonly Migration[]): string {
  const bindings = classes.map((o) => `\n[[durable_objects.bindings]]\nname = "${o.binding}"\nclass_name = "${o.className}"\n`).join("");
  return `${bindings}${migrationsToml(history)}`;
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
    durable_objects: durableObjectsBlock(durableObjectClasses(input.manifest), input.migrations),
    gateway: input.gateway ?? "",
    auth_mode: input.authMode,
    facade: input.facade ?? "",
    secrets: secretsBlock(input.secrets),
    metrics_dataset: input.metricsDataset,
    apis: input.apis ?? "",
    // Names checked by the config schema (lowercase letters, digits, dashes): safe inside quotes.
    trace_destinations: `[${input.traces.destinations.map((d) => `"${d}"`).join(", ")}]`,
    trace_sample_rate: String(input.traces.sampleRate),
  };
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new TypeError(`wrangler.toml.template: unknown placeholder {{${key}}}`);
    if (/["\\\r\n]/.test(value) && !["durable_objects", "gateway", "facade", "secrets", "trace_destinations", "apis"].includes(key)) throw new TypeError(`wrangler.toml.template: unsafe value for {{${key}}}`);
    return value;
  });
}
