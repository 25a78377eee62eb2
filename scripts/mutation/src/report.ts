/**
 * What `npm run mutation` prints: the plan before it starts, each target's score and survivors
 * as it finishes, and one table at the end. Stryker's HTML report has every mutant in detail.
 */
import { MUTATION_DEFAULTS, type TargetResult } from "./run-target.ts";
import { fileOf } from "./mutate-patterns.ts";
import { PLANTED } from "./planted.ts";
import type { PlantedResult } from "./run-planted.ts";
import { PLANTED_TARGET, type MutationTarget, type Selection } from "./targets.ts";

/** Survivors printed per target; the HTML report has all of them. */
const SURVIVORS_SHOWN = 25;

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

export function printPlan({ targets, planted }: Selection, flags: { readonly concurrency: number; readonly incremental: boolean }): void {
  const hand = planted ? ` + ${PLANTED.length} hand-made mutants` : "";
  console.log(`edge-mcp mutation check — ${targets.length} Stryker target(s), ${targets.reduce((n, t) => n + t.files.length, 0)} file(s), ${flags.concurrency} test runner(s)${flags.incremental ? ", incremental" : ""}${hand}`);
  for (const t of targets) {
    console.log(`  ${t.name.padEnd(10)} ${t.guards}`);
    console.log(`  ${"".padEnd(10)} mutates ${t.files.map((f) => `${t.workspace}/${fileOf(f)}${typeof f === "string" ? "" : ` (from "${f.from}")`}`).join(", ")}`);
    console.log(`  ${"".padEnd(10)} judged by ${t.tests === undefined ? `every test of ${t.workspace}` : t.tests.join(", ")}; floor ${t.floor}%`);
  }
  if (planted) {
    console.log(`  ${PLANTED_TARGET.padEnd(10)} hand-made mutants Stryker cannot plant here; each must be caught:`);
    for (const m of PLANTED) console.log(`  ${"".padEnd(10)} - ${m.name} (${m.file}; ${m.tests.join(", ")})`);
  }
  if (targets.length > 0) console.log(`Reports: ${MUTATION_DEFAULTS.reportDir}/<target>.html`);
}

export function printPlantedResult(result: PlantedResult): void {
  const mark = result.status === "killed" ? "caught" : result.status.toUpperCase();
  console.log(`  ${mark.padEnd(8)} ${result.name} (${formatDuration(result.seconds)}): ${result.detail}`);
}

function scoreText(result: TargetResult): string {
  return result.score === null ? "no valid mutant" : `${result.score.toFixed(1)}%`;
}

export function printResult(target: MutationTarget, result: TargetResult): void {
  const verdict = result.score === null ? "" : result.score < target.floor ? ` — BELOW its floor of ${target.floor}%` : ` (floor ${target.floor}%)`;
  console.log(
    `${target.name}: score ${scoreText(result)}${verdict}; ${result.killed} killed, ${result.timedOut} timed out, ${result.survived} survived, ${result.noCoverage} reached by no test, ${result.ignored - result.ignoredStatic} ignored as prose, ${result.ignoredStatic} static (module-level), in ${formatDuration(result.seconds)}`,
  );
  if (result.survivors.length === 0) return;
  console.log(`Survivors (a change no test noticed)${result.survivors.length > SURVIVORS_SHOWN ? `, first ${SURVIVORS_SHOWN} of ${result.survivors.length}` : ""}:`);
  for (const s of result.survivors.slice(0, SURVIVORS_SHOWN)) {
    console.log(`  ${s.at}  ${s.mutator}${s.uncovered ? " (no test reaches it)" : ""}: ${s.replacement}`);
  }
}

export function printSummary(results: readonly TargetResult[], planted: readonly PlantedResult[] | undefined, elapsed: string): void {
  if (results.length > 0) console.log(`\n${"target".padEnd(10)} ${"score".padStart(7)} ${"killed".padStart(7)} ${"survived".padStart(9)} ${"no test".padStart(8)} ${"time".padStart(7)}`);
  for (const r of results) {
    console.log(`${r.target.padEnd(10)} ${scoreText(r).padStart(7)} ${String(r.killed + r.timedOut).padStart(7)} ${String(r.survived).padStart(9)} ${String(r.noCoverage).padStart(8)} ${formatDuration(r.seconds).padStart(7)}`);
  }
  if (planted !== undefined) {
    const caught = planted.filter((p) => p.status === "killed").length;
    console.log(`${PLANTED_TARGET.padEnd(10)} ${`${caught}/${planted.length}`.padStart(7)} caught${caught < planted.length ? ` — NOT caught: ${planted.filter((p) => p.status !== "killed").map((p) => p.name).join("; ")}` : ""}`);
  }
  console.log(`Done in ${elapsed}.${results.length > 0 ? ` Every mutant, with the tests that ran it: ${MUTATION_DEFAULTS.reportDir}/<target>.html` : ""}`);
}
