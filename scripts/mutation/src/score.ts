/**
 * A target's result in numbers, with Stryker's definition of the mutation score: detected
 * mutants (killed, or timed out: an infinite loop is a failure the tests notice) over every
 * valid mutant (detected, survived, or reached by no test at all). Compile and runtime errors
 * and ignored mutants are not valid and do not count.
 */
import { relative, resolve } from "node:path";

/** The fields of Stryker's MutantResult this summary reads. */
export interface MutantOutcome {
  readonly fileName: string;
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly status: string;
  /** Module-level code: evaluated when the module loads (see run-target.ts `ignoreStatic`). */
  readonly static?: boolean;
  readonly location: { readonly start: { readonly line: number; readonly column: number } };
}

export interface Survivor {
  /** `path:line:column`, relative to the repo root. */
  readonly at: string;
  readonly mutator: string;
  readonly replacement: string;
  /** True when no test ran the mutated code at all (`NoCoverage`). */
  readonly uncovered: boolean;
}

export interface TargetScore {
  readonly mutants: number;
  readonly killed: number;
  readonly timedOut: number;
  readonly survived: number;
  readonly noCoverage: number;
  /** Left untested on purpose: prose (prose-ignorer.ts) or module-level (`static`) code. */
  readonly ignored: number;
  /** Of those, module-level code the Workers pool cannot re-run (covered by src/planted.ts instead). */
  readonly ignoredStatic: number;
  /** Mutants that did not compile or broke the run itself: not valid, so not counted. */
  readonly errors: number;
  /** Percentage of valid mutants detected, one decimal; null when there is no valid mutant. */
  readonly score: number | null;
  readonly survivors: readonly Survivor[];
}

export function scoreOf(results: readonly MutantOutcome[], root: string): TargetScore {
  const count = (status: string) => results.filter((r) => r.status === status).length;
  const killed = count("Killed");
  const timedOut = count("Timeout");
  const survived = count("Survived");
  const noCoverage = count("NoCoverage");
  const valid = killed + timedOut + survived + noCoverage;
  const survivors = results
    .filter((r) => r.status === "Survived" || r.status === "NoCoverage")
    .map((r) => ({
      at: `${relative(root, resolve(root, r.fileName))}:${r.location.start.line}:${r.location.start.column}`,
      mutator: r.mutatorName,
      replacement: oneLine(r.replacement ?? ""),
      uncovered: r.status === "NoCoverage",
    }))
    .sort((a, b) => a.at.localeCompare(b.at, "en", { numeric: true }));
  return {
    mutants: results.length,
    killed,
    timedOut,
    survived,
    noCoverage,
    ignored: count("Ignored"),
    ignoredStatic: results.filter((r) => r.status === "Ignored" && r.static === true).length,
    errors: count("CompileError") + count("RuntimeError"),
    score: valid === 0 ? null : Math.round(((killed + timedOut) / valid) * 1000) / 10,
    survivors,
  };
}

/** A replacement on one line, cut to 100 characters, for the terminal. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 100 ? `${flat.slice(0, 99)}…` : flat;
}
