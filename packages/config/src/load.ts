import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { EcosystemSchema, ServerManifestSchema, type Ecosystem, type ServerManifest } from "./schemas.ts";

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
}

export interface LoadedFleet {
  readonly root: string;
  readonly ecosystem: Ecosystem;
  readonly servers: readonly LoadedServer[];
}

function parseFile<T extends z.ZodType>(file: string, schema: T): z.output<T> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(file, `is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(file, parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"} ${i.message}`).join("; "));
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
    servers.push({ manifest, dir: join(workersDir, entry.name) });
  }
  servers.sort((a, b) => a.manifest.slug.localeCompare(b.manifest.slug));
  return { root, ecosystem, servers };
}
