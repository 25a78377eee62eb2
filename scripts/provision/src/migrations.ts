import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ServerManifest } from "@edge-mcp/config";
import { z } from "zod";
import { ProvisionError } from "./errors.ts";

/**
 * Durable Object migrations (wrangler `[[migrations]]`): Cloudflare applies each tag once, in
 * order, and refuses — or worse, misapplies — a config whose already-applied tags changed. So each
 * worker keeps its history, append-only, in a committed file beside its mcp.json; a config change
 * adds a tag (classes created, renamed, deleted) and never rewrites one.
 */
export const MIGRATIONS_FILE = "migrations.json";

const ClassName = z.string().regex(/^[A-Z][A-Za-z0-9]*$/);
const MigrationSchema = z.strictObject({
  tag: z.string().regex(/^v\d+$/),
  new_sqlite_classes: z.array(ClassName).min(1).optional(),
  renamed_classes: z.array(z.strictObject({ from: ClassName, to: ClassName })).min(1).optional(),
  deleted_classes: z.array(ClassName).min(1).optional(),
});
const HistorySchema = z.array(MigrationSchema);

export type Migration = z.output<typeof MigrationSchema>;

/** A Durable Object class a worker binds, by binding name. */
export interface DurableObjectClass {
  readonly binding: string;
  readonly className: string;
  /** The class's previous name (mcp.json `renamedFrom`): its objects keep their data under the new name. */
  readonly renamedFrom?: string;
}

/** Every class a server binds: its sessions (stateful), its own, the rate-limit counter, the listen bus. */
export function durableObjectClasses(manifest: ServerManifest): DurableObjectClass[] {
  return [
    ...(manifest.transport === "stateful" ? [{ binding: "MCP_SESSION", className: "McpSession" }] : []),
    ...manifest.durableObjects,
    ...(manifest.rateLimit === undefined ? [] : [{ binding: "RATE_LIMIT", className: "RateLimitCounter" }]),
    { binding: "MCP_EVENTS", className: "McpEventBus" },
  ];
}

/** The classes a history leaves in place (replayed in order); throws on a history that contradicts itself. */
export function classesAfter(history: readonly Migration[], file: string): Set<string> {
  const live = new Set<string>();
  const tags = new Set<string>();
  const bad = (tag: string, what: string) => new ProvisionError("config_invalid", `${file}: migration ${tag} ${what}; a history is append-only — restore the applied tags as they were.`);
  for (const m of history) {
    if (tags.has(m.tag)) throw bad(m.tag, "appears twice");
    tags.add(m.tag);
    for (const c of m.new_sqlite_classes ?? []) {
      if (live.has(c)) throw bad(m.tag, `creates ${c}, which exists already`);
      live.add(c);
    }
    for (const { from, to } of m.renamed_classes ?? []) {
      if (!live.has(from) || live.has(to)) throw bad(m.tag, `renames ${from} to ${to}, which its history does not allow`);
      live.delete(from);
      live.add(to);
    }
    for (const c of m.deleted_classes ?? []) {
      if (!live.delete(c)) throw bad(m.tag, `deletes ${c}, which does not exist`);
    }
  }
  return live;
}

/**
 * The history with one more tag when the classes the config binds differ from what the history
 * leaves: new classes created, `renamedFrom` classes renamed, classes no longer bound deleted —
 * deleting destroys their objects' data, so only with `allowDelete`.
 */
export function nextHistory(history: readonly Migration[], classes: readonly DurableObjectClass[], options: { file: string; allowDelete: boolean }): { history: Migration[]; added?: Migration } {
  const live = classesAfter(history, options.file);
  const wanted = new Set(classes.map((c) => c.className));
  const renamed = classes.filter((c) => c.renamedFrom !== undefined && live.has(c.renamedFrom) && !live.has(c.className)).map((c) => ({ from: c.renamedFrom!, to: c.className }));
  const renamedFrom = new Set(renamed.map((r) => r.from));
  const created = classes.map((c) => c.className).filter((c) => !live.has(c) && !renamed.some((r) => r.to === c));
  const deleted = [...live].filter((c) => !wanted.has(c) && !renamedFrom.has(c));
  if (created.length === 0 && renamed.length === 0 && deleted.length === 0) return { history: [...history] };
  if (deleted.length > 0 && !options.allowDelete) {
    throw new ProvisionError(
      "confirmation_required",
      `${options.file}: the config no longer binds ${deleted.join(", ")}; deploying would delete every object of ${deleted.length === 1 ? "that class" : "those classes"} and its data. If that is what you want, run again with --allow-delete; if the class was renamed, give it "renamedFrom" in mcp.json durableObjects.`,
    );
  }
  const next = history.length === 0 ? 1 : Math.max(...history.map((m) => Number(m.tag.slice(1)))) + 1;
  const added: Migration = {
    tag: `v${next}`,
    ...(created.length === 0 ? {} : { new_sqlite_classes: created }),
    ...(renamed.length === 0 ? {} : { renamed_classes: renamed }),
    ...(deleted.length === 0 ? {} : { deleted_classes: deleted }),
  };
  return { history: [...history, added], added };
}

/** The `[[migrations]]` of a wrangler.toml this provisioner rendered (its own simple TOML): what was deployed with it. */
export function renderedMigrations(toml: string): Migration[] {
  const list = (body: string, key: string) => {
    const match = new RegExp(`^${key}\\s*=\\s*\\[([^\\]]*)\\]`, "m").exec(body);
    return match === null ? undefined : [...match[1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  };
  return toml
    .split(/^\[\[migrations\]\]\s*$/m)
    .slice(1)
    .map((block) => block.split(/^\[/m)[0]!)
    .map((body) => {
      const tag = /^tag\s*=\s*"([^"]+)"/m.exec(body)?.[1] ?? "";
      const created = list(body, "new_sqlite_classes");
      const deleted = list(body, "deleted_classes");
      const renamed = [...body.matchAll(/\{\s*from\s*=\s*"([^"]+)"\s*,\s*to\s*=\s*"([^"]+)"\s*\}/g)].map((m) => ({ from: m[1]!, to: m[2]! }));
      return MigrationSchema.parse({
        tag,
        ...(created === undefined ? {} : { new_sqlite_classes: created }),
        ...(renamed.length === 0 ? {} : { renamed_classes: renamed }),
        ...(deleted === undefined ? {} : { deleted_classes: deleted }),
      });
    });
}

/**
 * A worker's migration history: its committed file, or — for a worker rendered before histories
 * were kept — the migrations of its rendered wrangler.toml (what was deployed), or none (a new
 * worker). Refused when the file rewrites a tag the rendered file already carries: an applied
 * tag never changes.
 */
export function loadHistory(workerDir: string): { history: Migration[]; fromFile: boolean } {
  const file = join(workerDir, MIGRATIONS_FILE);
  const renderedFile = join(workerDir, "wrangler.toml");
  const rendered = existsSync(renderedFile) ? renderedMigrations(readFileSync(renderedFile, "utf8")) : [];
  if (!existsSync(file)) return { history: rendered, fromFile: false };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ProvisionError("config_invalid", `${file} is not valid JSON (${error instanceof Error ? error.message : "parse error"}).`);
  }
  const parsed = HistorySchema.safeParse(json);
  if (!parsed.success) throw new ProvisionError("config_invalid", `${file}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"} ${i.message}`).join("; ")}.`);
  for (const applied of rendered) {
    const kept = parsed.data.find((m) => m.tag === applied.tag);
    if (kept === undefined || JSON.stringify(kept) !== JSON.stringify(applied)) {
      throw new ProvisionError("config_invalid", `${file}: migration ${applied.tag} differs from the one in the rendered wrangler.toml (deployed with it). Applied migrations never change: restore it, and let a config change add a new tag.`);
    }
  }
  classesAfter(parsed.data, file);
  return { history: parsed.data, fromFile: true };
}

/** The history as the file holds it (committed beside mcp.json). */
export function historyText(history: readonly Migration[]): string {
  return `${JSON.stringify(history, null, 2)}\n`;
}

/** The history as wrangler.toml `[[migrations]]` blocks. */
export function migrationsToml(history: readonly Migration[]): string {
  const list = (items: readonly string[]) => `[${items.map((i) => `"${i}"`).join(", ")}]`;
  return history
    .map((m) =>
      [
        "\n[[migrations]]",
        `tag = "${m.tag}"`,
        ...(m.new_sqlite_classes === undefined ? [] : [`new_sqlite_classes = ${list(m.new_sqlite_classes)}`]),
        ...(m.renamed_classes === undefined ? [] : [`renamed_classes = [${m.renamed_classes.map((r) => `{ from = "${r.from}", to = "${r.to}" }`).join(", ")}]`]),
        ...(m.deleted_classes === undefined ? [] : [`deleted_classes = ${list(m.deleted_classes)}`]),
      ].join("\n") + "\n",
    )
    .join("");
}
