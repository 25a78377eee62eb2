import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { fileOf, mutatePatterns, MutationTargetError } from "../src/mutate-patterns.ts";
import { sandboxIgnorePatterns } from "../src/run-target.ts";
import { belowFloor, PLANTED_TARGET, selectTargets, TARGETS, type MutationTarget } from "../src/targets.ts";

const ROOT = resolve(import.meta.dirname, "../../..");

describe("mutation targets", () => {
  it.each(TARGETS.map((t) => [t.name, t] as const))("%s names a workspace with a vitest config, and files and tests that exist", (_name, target) => {
    expect(existsSync(join(ROOT, target.workspace, "vitest.config.ts"))).toBe(true);
    for (const file of [...target.files.map(fileOf), ...(target.tests ?? []), ...(target.alsoCopies ?? []).map((f) => join("../..", f))]) {
      expect(existsSync(join(ROOT, target.workspace, file)), file).toBe(true);
    }
    expect(target.floor).toBeGreaterThanOrEqual(0);
    expect(target.floor).toBeLessThanOrEqual(100);
  });

  it("resolves every anchored range to lines of today's file, first before last", () => {
    for (const target of TARGETS) {
      for (const pattern of mutatePatterns(target, ROOT)) {
        const range = /:(\d+)-(\d+)$/.exec(pattern);
        if (range === null) continue;
        expect(Number(range[1])).toBeLessThan(Number(range[2]));
      }
    }
    expect(TARGETS.some((t) => t.files.some((f) => typeof f !== "string"))).toBe(true);
  });

  it("stops with the missing anchor named when a range's code has changed", () => {
    const root = mkdtempSync(join(tmpdir(), "mutation-"));
    mkdirSync(join(root, "pkg/src"), { recursive: true });
    writeFileSync(join(root, "pkg/src/a.ts"), "const a = 1;\n// start here\nconst b = 2;\n// end here\n");
    const target: MutationTarget = { name: "t", workspace: "pkg", guards: "", floor: 0, files: [{ file: "src/a.ts", from: "start here", to: "the end" }] };
    expect(() => mutatePatterns(target, root)).toThrow(MutationTargetError);
    expect(() => mutatePatterns(target, root)).toThrow(/"the end"/);
    expect(mutatePatterns({ ...target, files: [{ file: "src/a.ts", from: "start here", to: "end here" }, "src/a.ts"] }, root)).toEqual(["pkg/src/a.ts:2-4", "pkg/src/a.ts"]);
  });

  it("selects targets by name in their own order, and everything (the hand-made mutants too) when none is named", () => {
    expect(selectTargets([]).targets.map((t) => t.name)).toEqual(TARGETS.map((t) => t.name));
    expect(selectTargets([]).planted).toBe(true);
    expect(selectTargets(["provision", "auth"])).toEqual({ targets: [TARGETS[0], TARGETS.find((t) => t.name === "provision")], planted: false });
    expect(selectTargets([PLANTED_TARGET])).toEqual({ targets: [], planted: true });
  });

  it("holds a score to its target's floor, and a run without valid mutants to nothing", () => {
    const target: MutationTarget = { name: "t", workspace: "pkg", guards: "", floor: 80, files: [] };
    expect(belowFloor({ target: "t", score: 79.9 }, [target])).toBe(true);
    expect(belowFloor({ target: "t", score: 80 }, [target])).toBe(false);
    expect(belowFloor({ target: "t", score: null }, [target])).toBe(false);
  });

  it("keeps the target's workspace and the files its tests read in the sandbox, after excluding the rest", () => {
    const patterns = sandboxIgnorePatterns({ workspace: "scripts/provision", alsoCopies: ["wrangler.toml.template"] });
    expect(patterns[0]).toBe("/*");
    expect(patterns).toContain("!/wrangler.toml.template");
    expect(patterns.at(-1)).toBe("!/scripts/provision");
    expect(patterns.indexOf("/scripts/*")).toBeLessThan(patterns.indexOf("!/scripts/provision"));
    expect(sandboxIgnorePatterns({ workspace: "workers/oauth" })).toEqual(expect.arrayContaining(["!/workers", "/workers/*", "!/workers/oauth"]));
  });
});
