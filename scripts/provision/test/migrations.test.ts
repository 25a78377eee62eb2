import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runRoutes } from "../src/routes.ts";
import { setupWithCloudflare } from "./helpers.ts";

/**
 * Durable Object migrations keep their history (Cloudflare applies each tag once, in order; a
 * changed applied tag is refused or misapplied): `routes` appends a tag for each change of the
 * classes a worker binds and never rewrites one. Issue 23 §11.
 */
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

async function fleet(notes: object) {
  const s = await setupWithCloudflare({ notes }, stops);
  const manifestFile = join(s.root, "workers/notes/mcp.json");
  const routes = (allowDelete = false) => runRoutes({ root: s.root, processEnv: s.processEnv, requestsPerSecond: 0, allowDelete });
  const edit = (change: Record<string, unknown>) => writeFileSync(manifestFile, JSON.stringify({ ...JSON.parse(readFileSync(manifestFile, "utf8")), ...change }));
  const history = () => JSON.parse(readFileSync(join(s.root, "workers/notes/migrations.json"), "utf8")) as Array<Record<string, unknown>>;
  const toml = () => readFileSync(join(s.root, "workers/notes/wrangler.toml"), "utf8");
  return { ...s, routes, edit, history, toml };
}

describe("Durable Object migrations: an append-only history per worker", () => {
  it("starts the history at v1 with every class bound, writes it beside mcp.json, and adds nothing on a re-run", async () => {
    const f = await fleet({ transport: "stateless" });
    expect((await f.routes()).workers[0]).toMatchObject({ migration: "v1" });
    expect(f.history()).toEqual([{ tag: "v1", new_sqlite_classes: ["McpEventBus"] }]);
    expect((await f.routes()).workers[0]!.migration).toBeUndefined();
    expect(f.history()).toHaveLength(1);
  });

  it("adds a tag for a server switched from stateless to stateful, and v1 stays as it was", async () => {
    const f = await fleet({ transport: "stateless" });
    await f.routes();
    f.edit({ transport: "stateful" });
    expect((await f.routes()).workers[0]).toMatchObject({ migration: "v2" });
    expect(f.history()).toEqual([
      { tag: "v1", new_sqlite_classes: ["McpEventBus"] },
      { tag: "v2", new_sqlite_classes: ["McpSession"] },
    ]);
    expect(f.toml()).toContain('[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["McpEventBus"]\n');
    expect(f.toml()).toContain('[[migrations]]\ntag = "v2"\nnew_sqlite_classes = ["McpSession"]\n');
  });

  it("adds a tag for a class gained by a new setting (a rate limit's counter)", async () => {
    const f = await fleet({ transport: "stateful" });
    await f.routes();
    f.edit({ rateLimit: { requests: 100, windowSeconds: 60 } });
    await f.routes();
    expect(f.history().at(-1)).toEqual({ tag: "v2", new_sqlite_classes: ["RateLimitCounter"] });
  });

  it("renames a class the config says was renamed (its objects keep their data), in a tag of its own", async () => {
    const f = await fleet({ transport: "stateful", durableObjects: [{ binding: "STORE", className: "NotesStore" }] });
    await f.routes();
    f.edit({ durableObjects: [{ binding: "STORE", className: "NoteStore", renamedFrom: "NotesStore" }] });
    await f.routes();
    expect(f.history().at(-1)).toEqual({ tag: "v2", renamed_classes: [{ from: "NotesStore", to: "NoteStore" }] });
    expect(f.toml()).toContain('renamed_classes = [{ from = "NotesStore", to = "NoteStore" }]');
    expect(f.toml()).toContain('class_name = "NoteStore"');
  });

  it("refuses to delete a class the config dropped (its data would go) unless --allow-delete, then adds a deletion tag", async () => {
    const f = await fleet({ transport: "stateful", durableObjects: [{ binding: "STORE", className: "NotesStore" }] });
    await f.routes();
    const before = f.toml();
    f.edit({ durableObjects: [] });
    const refused = await f.routes().catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "confirmation_required" });
    expect((refused as Error).message).toMatch(/no longer binds NotesStore.*--allow-delete.*renamedFrom/);
    expect(f.toml()).toBe(before);
    expect(f.history()).toHaveLength(1);
    await f.routes(true);
    expect(f.history().at(-1)).toEqual({ tag: "v2", deleted_classes: ["NotesStore"] });
  });

  it("refuses a history that rewrites a tag already rendered (deployed), naming it", async () => {
    const f = await fleet({ transport: "stateful" });
    await f.routes();
    writeFileSync(join(f.root, "workers/notes/migrations.json"), JSON.stringify([{ tag: "v1", new_sqlite_classes: ["McpSession"] }, { tag: "v2", new_sqlite_classes: ["McpEventBus"] }]));
    await expect(f.routes()).rejects.toThrow(/migration v1 differs from the one in the rendered wrangler\.toml/);
  });

  it("takes over the migrations of a wrangler.toml rendered before histories were kept, adding no tag for what is deployed", async () => {
    const f = await fleet({ transport: "stateful" });
    await f.routes();
    // As the provisioner rendered it before: v1 the server's classes, v2 the bus; no history file.
    writeFileSync(join(f.root, "workers/notes/wrangler.toml"), `${f.toml().replace(/\n\[\[migrations\]\][\s\S]*?(?=\n\n|\n\[\[|\n\[|$)/g, "")}\n[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["McpSession"]\n\n[[migrations]]\ntag = "v2"\nnew_sqlite_classes = ["McpEventBus"]\n`);
    const { rmSync } = await import("node:fs");
    rmSync(join(f.root, "workers/notes/migrations.json"));
    expect((await f.routes()).workers[0]!.migration).toBeUndefined();
    expect(f.history()).toEqual([
      { tag: "v1", new_sqlite_classes: ["McpSession"] },
      { tag: "v2", new_sqlite_classes: ["McpEventBus"] },
    ]);
  });

  it("writes no history with --dry-run", async () => {
    const f = await fleet({ transport: "stateful" });
    await runRoutes({ root: f.root, processEnv: f.processEnv, requestsPerSecond: 0, dryRun: true });
    const { existsSync } = await import("node:fs");
    expect(existsSync(join(f.root, "workers/notes/migrations.json"))).toBe(false);
  });
});
