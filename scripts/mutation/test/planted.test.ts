import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { PLANTED, type PlantedMutant } from "../src/planted.ts";
import { checkBaseline, runPlanted } from "../src/run-planted.ts";

const ROOT = resolve(import.meta.dirname, "../../..");

describe("the hand-made mutants", () => {
  it.each(PLANTED.map((m) => [m.name, m] as const))("%s still applies: each edit matches its file exactly once", (_name, mutant) => {
    const text = readFileSync(join(ROOT, mutant.file), "utf8");
    for (const edit of mutant.edits) expect(text.split(edit.find).length - 1, edit.find).toBe(1);
  });
});

describe("planting a mutant", () => {
  /** A workspace of one function and one test, beside a link to the repo's node_modules (vitest). */
  function workspace(): string {
    const root = mkdtempSync(join(tmpdir(), "planted-"));
    symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
    mkdirSync(join(root, "ws/src"), { recursive: true });
    mkdirSync(join(root, "ws/test"));
    writeFileSync(join(root, "ws/vitest.config.ts"), `export default { test: { environment: "node" } };\n`);
    writeFileSync(join(root, "ws/src/allow.ts"), `export const allow = (scopes: string[]) => scopes.includes("tools.write");\nexport const note = "unused";\n`);
    writeFileSync(join(root, "ws/test/allow.test.ts"), `import { expect, it } from "vitest";\nimport { allow } from "../src/allow.ts";\nit("refuses a reader", () => expect(allow(["tools.read"])).toBe(false));\n`);
    return root;
  }
  const mutant = (edits: PlantedMutant["edits"], name = "m"): PlantedMutant => ({ name, risk: "", workspace: "ws", file: "ws/src/allow.ts", edits, tests: ["test/allow.test.ts"] });

  it("reports caught, not caught and stale mutants, and leaves the file as it was", async () => {
    const root = workspace();
    const before = readFileSync(join(root, "ws/src/allow.ts"), "utf8");
    expect(await checkBaseline(root, [mutant([])])).toEqual([]);
    const results = await runPlanted(root, [
      mutant([{ find: 'scopes.includes("tools.write")', replace: "true" }], "caught"),
      mutant([{ find: '"unused"', replace: '"changed"' }], "missed"),
      mutant([{ find: "no such code", replace: "" }], "stale"),
    ]);
    expect(results.map((r) => [r.name, r.status])).toEqual([["caught", "killed"], ["missed", "survived"], ["stale", "stale"]]);
    expect(results[0]!.detail).toContain("refuses a reader");
    expect(readFileSync(join(root, "ws/src/allow.ts"), "utf8")).toBe(before);
  });

  it("does not plant over tests that already fail", async () => {
    const root = workspace();
    writeFileSync(join(root, "ws/src/allow.ts"), `export const allow = (_: string[]) => true;\n`);
    expect(await checkBaseline(root, [mutant([])])).toEqual([expect.stringMatching(/^ws: "refuses a reader" fails without any mutant/)]);
  });
});
