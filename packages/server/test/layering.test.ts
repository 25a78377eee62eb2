/**
 * The folders of src/ are layers (docs/architecture.md): a file imports from its own folder or a
 * lower one, never from a sibling of the same rank or from above — type-only imports included —
 * so each concern can be read, reviewed and (for `legacy/`) removed on its own.
 */
import { describe, expect, it } from "vitest";

const sources = import.meta.glob("../src/**/*.ts", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

/** Each folder's rank: imports run from higher to strictly lower ranks (or stay in the folder). */
const RANKS: Readonly<Record<string, number>> = {
  base: 0, // defaults, errors, the caller, config, the session namespace's ids and registry roles
  http: 1, // edge checks: origin, body, JSON-RPC, era, error answers, challenge, health, token verifiers
  policy: 2, // scopes, rate limits, audit
  events: 2, // list changes, the event bus, listener slots
  tasks: 3, // the tasks extension engine
  apis: 3, // downstream APIs called as the user: token exchange, the exchanged-token cache, connect links
  mcp: 4, // the built SDK server, era-neutral: setup, tools, requestState, the pool
  modern: 5, // MCP 2026-07-28
  legacy: 5, // 2025 sessions and 2025 stateless
  worker: 6, // assembly: the fetch handler, the session Durable Object, the backend entrypoint
  "": 7, // entries: index.ts, rate-limiting.ts, ajv-stub.ts (package.json exports)
};

const files = Object.keys(sources).map((key) => key.replace(/^\.\.\/src\//, ""));
const folderOf = (file: string) => (file.includes("/") ? file.slice(0, file.indexOf("/")) : "");

/** Relative imports of a file (static, dynamic and type-only), as paths under src/, with whether each is type-only. */
function importsOf(file: string): Array<{ target: string; typeOnly: boolean }> {
  const text = sources[`../src/${file}`]!;
  const found: Array<{ target: string; typeOnly: boolean }> = [];
  for (const match of text.matchAll(/(?:^|\n)\s*(import|export)\s+(type\s+)?[^;]*?from\s+"(\.{1,2}\/[^"]+)"|import\("(\.{1,2}\/[^"]+)"\)/g)) {
    const spec = match[3] ?? match[4]!;
    const base = file.includes("/") ? file.slice(0, file.lastIndexOf("/") + 1) : "";
    const parts = `${base}${spec}`.split("/");
    const resolved: string[] = [];
    for (const part of parts) {
      if (part === "..") resolved.pop();
      else if (part !== ".") resolved.push(part);
    }
    found.push({ target: resolved.join("/"), typeOnly: match[2] !== undefined });
  }
  return found;
}

describe("packages/server/src layering", () => {
  it("puts every source file in a ranked folder (or at the root as an entry)", () => {
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) expect(Object.keys(RANKS), file).toContain(folderOf(file));
  });

  it("has every import point at a file that exists", () => {
    for (const file of files) for (const { target } of importsOf(file)) expect(files, `${file} imports ${target}`).toContain(target);
  });

  it("runs every import between folders downward: never to a same-rank sibling or a higher folder, type-only imports included", () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      for (const { target } of importsOf(file)) {
        const to = folderOf(target);
        if (to !== from && RANKS[to]! >= RANKS[from]!) upward.push(`${file} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it("keeps modern/ and legacy/ apart: dropping the 2025 era is deleting legacy/ and its wiring in worker/", () => {
    const crossing = files.filter((f) => folderOf(f) === "modern").flatMap((f) => importsOf(f).filter((i) => folderOf(i.target) === "legacy").map((i) => `${f} → ${i.target}`));
    expect(crossing).toEqual([]);
  });

  it("keeps index.ts to re-exports only: it is the whole public surface", () => {
    const lines = sources["../src/index.ts"]!.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("//"));
    for (const line of lines) expect(line).toMatch(/^export /);
  });

  it("keeps ./rate-limiting free of the MCP SDK at runtime (the OAuth facade imports it): no value import of @modelcontextprotocol/* in its graph", () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const { target, typeOnly } of importsOf(file)) if (!typeOnly) visit(target);
    };
    visit("rate-limiting.ts");
    expect(seen.size).toBeGreaterThan(1);
    const offending = [...seen].filter((file) => /(?:^|\n)\s*import\s+(?!type\s)[^;]*from\s+"@modelcontextprotocol\//.test(sources[`../src/${file}`]!));
    expect(offending).toEqual([]);
  });
});
