import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configWithServices } from "../src/wrangler-dev.ts";

describe("a dev run's copy of a worker's wrangler.toml (facade mode's extra service binding)", () => {
  it("is one file per run, so starting a second run never rewrites (and so reloads) the first run's config", () => {
    const worker = mkdtempSync(join(tmpdir(), "run-config-"));
    writeFileSync(join(worker, "wrangler.toml"), 'name = "notes-mcp"\nmain = "src/index.ts"\n');
    const first = configWithServices(worker, 8788, [{ binding: "AUTH_SERVER", service: "oauth-facade" }]);
    const before = readFileSync(first, "utf8");
    const second = configWithServices(worker, 9788, [{ binding: "AUTH_SERVER", service: "oauth-facade-2" }]);
    expect(second).not.toBe(first);
    expect(readFileSync(first, "utf8")).toBe(before);
    // The copy sits one directory down: its `main` points back at the worker's source.
    expect(before).toContain('main = "../src/index.ts"');
    expect(before).toContain('[[services]]\nbinding = "AUTH_SERVER"\nservice = "oauth-facade"');
  });

  it("points the copy's other relative paths back at the worker too: its static assets", () => {
    const worker = mkdtempSync(join(tmpdir(), "run-config-"));
    writeFileSync(join(worker, "wrangler.toml"), 'name = "edge-mcp-console"\nmain = "src/index.ts"\n\n[assets]\ndirectory = "./public"\n\n[build]\ncommand = "node build-client.mjs"\n');
    const copy = readFileSync(configWithServices(worker, 9420, []), "utf8");
    expect(copy).toContain('directory = "../public"');
    expect(copy).toContain('command = "node build-client.mjs"');
  });
});
