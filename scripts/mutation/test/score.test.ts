import { describe, expect, it } from "vitest";
import { scoreOf, type MutantOutcome } from "../src/score.ts";

const at = (fileName: string, line: number, status: string, replacement = "false"): MutantOutcome => ({ fileName, mutatorName: "ConditionalExpression", replacement, status, location: { start: { line, column: 7 } } });

describe("a target's score (Stryker's definition)", () => {
  it("counts killed and timed-out mutants as detected, over detected + survived + reached by no test", () => {
    const score = scoreOf([at("/r/a.ts", 1, "Killed"), at("/r/a.ts", 2, "Timeout"), at("/r/a.ts", 3, "Survived"), at("/r/a.ts", 4, "NoCoverage"), at("/r/a.ts", 5, "Ignored"), { ...at("/r/a.ts", 7, "Ignored"), static: true }, at("/r/a.ts", 6, "CompileError")], "/r");
    expect(score).toMatchObject({ mutants: 7, killed: 1, timedOut: 1, survived: 1, noCoverage: 1, ignored: 2, ignoredStatic: 1, errors: 1, score: 50 });
  });

  it("has no score when no mutant is valid", () => {
    expect(scoreOf([at("/r/a.ts", 1, "Ignored")], "/r").score).toBeNull();
  });

  it("lists survivors relative to the root, in line order, on one line each", () => {
    const { survivors } = scoreOf([at("/r/src/a.ts", 10, "Survived", "a\n  && b"), at("/r/src/a.ts", 9, "NoCoverage"), at("/r/src/a.ts", 2, "Killed")], "/r");
    expect(survivors).toEqual([
      { at: "src/a.ts:9:7", mutator: "ConditionalExpression", replacement: "false", uncovered: true },
      { at: "src/a.ts:10:7", mutator: "ConditionalExpression", replacement: "a && b", uncovered: false },
    ]);
  });
});
