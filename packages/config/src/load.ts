import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { asUserProblems, gatewayProblems, workerName } from "./gateway-fleet.ts";
import { GatewayConfigSchema, type GatewayConfig } from "./gateway-schema.ts";
import { EcosystemSchema, ServerManifestSchema, type Ecosystem, type ServerManifest } from "./schemas.ts";

/** A worker directory holding this file is a gateway: its backends, bindings and rules come from it. */
export const GATEWAY_CONFIG_FILE = "gateway.json";

/** A config file that failed validation: names the file and each bad field. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.file = file;
  }
}

export interface LoadedServer {
  readonly manifest: ServerManifest;
  /** The worker's directory, e.g. `<root>/workers/notes`. */
  readonly dir: string;
  /** Its gateway.json, validated against the fleet, when the worker is a gateway. */
  readonly gateway?: GatewayConfig;
}

export interface LoadedFleet {
  readonly root: string;
  readonly ecosystem: Ecosystem;
  readonly servers: readonly LoadedServer[];
}

function parseFile<T extends z.ZodType>(file: string, schema: T, fix = ""): z.output<T> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(file, `is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(file, `${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"} ${issueMessage(i)}`).join("; ")}${fix}`);
  }
  return parsed.data;
}

/** Reads `ecosystem.json` and every `workers/<slug>/mcp.json` under `root`. Slugs must match folders and be unique. */
export function loadFleet(root: string): LoadedFleet {
  const ecosystemFile = join(root, "ecosystem.json");
  if (!existsSync(ecosystemFile)) throw new ConfigError(ecosystemFile, "not found: create it (see docs/configuration.md)");
  const ecosystem = parseFile(ecosystemFile, EcosystemSchema);
  const workersDir = join(root, "workers");
  const servers: LoadedServer[] = [];
  const ports = new Map<number, string>();
  for (const entry of existsSync(workersDir) ? readdirSync(workersDir, { withFileTypes: true }) : []) {
    const file = join(workersDir, entry.name, "mcp.json");
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const manifest = parseFile(file, ServerManifestSchema);
    if (manifest.slug !== entry.name) throw new ConfigError(file, `slug "${manifest.slug}" must equal its folder name "${entry.name}"`);
    const clash = ports.get(manifest.dev.port) ?? (manifest.dev.port === ecosystem.dev.issuerPort ? "the dev authorization server" : undefined);
    if (clash !== undefined) throw new ConfigError(file, `dev.port ${manifest.dev.port} is already used by ${clash}`);
    ports.set(manifest.dev.port, manifest.slug);
    const gatewayFile = join(workersDir, entry.name, GATEWAY_CONFIG_FILE);
    const gateway = existsSync(gatewayFile) ? parseFile(gatewayFile, GatewayConfigSchema, " — see packages/config/schema/gateway.schema.json and docs/gateway.md") : undefined;
    servers.push({ manifest, dir: join(workersDir, entry.name), ...(gateway === undefined ? {} : { gateway }) });
  }
  servers.sort((a, b) => a.manifest.slug.localeCompare(b.manifest.slug));
  // A gateway's backends and rules against the fleet: caught here, before anything starts or deploys.
  const fleetWorkers = servers.map((s) => workerName(s.manifest.slug));
  for (const server of servers) {
    if (server.gateway === undefined) continue;
    const problems = [...gatewayProblems(server.gateway, fleetWorkers, workerName(server.manifest.slug)), ...asUserProblems(server.gateway, server.manifest)];
    if (problems.length > 0) throw new ConfigError(join(server.dir, GATEWAY_CONFIG_FILE), problems.map((p) => `${p.path} ${p.message}`).join("; "));
  }
  return { root, ecosystem, servers };
}

/** A zod issue's message; a bad record key says what a key must be (zod's own is "Invalid key in record"). */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_key" && issue.issues.length > 0) return `is not a valid name: ${issue.issues.map((i) => i.message).join("; ")}`;
  return issue.message;
}
