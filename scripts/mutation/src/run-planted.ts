/**
 * Plants each hand-made mutant (src/planted.ts) in the working tree, runs the workspace's named
 * test files with vitest's JSON reporter, and puts the file back — in a `finally`, and on Ctrl-C
 * or SIGTERM too. First, each workspace's named files run once unmutated: a test that already
 * fails would make every mutant look caught.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PlantedMutant } from "./planted.ts";

export type PlantedStatus = "killed" | "survived" | "stale" | "error";

export interface PlantedResult {
  readonly name: string;
  readonly status: PlantedStatus;
  /** For killed: the first failing test; otherwise what went wrong. */
  readonly detail: string;
  readonly seconds: number;
}

interface VitestOutcome {
  readonly failed: number;
  readonly passed: number;
  readonly firstFailure: string | undefined;
}

/** Runs `tests` in `workspace` with its own vitest config; counts from the JSON reporter. */
async function runVitest(root: string, workspace: string, tests: readonly string[]): Promise<VitestOutcome> {
  const dir = mkdtempSync(join(tmpdir(), "edge-mcp-planted-"));
  const report = join(dir, "report.json");
  try {
    await new Promise<void>((resolve, reject) => {
      const vitest = join(root, "node_modules/vitest/vitest.mjs");
      const child = spawn(process.execPath, [vitest, "run", "--reporter=json", `--outputFile=${report}`, ...tests], { cwd: join(root, workspace), stdio: "ignore" });
      child.once("error", reject);
      child.once("exit", () => resolve());
    });
    const json = JSON.parse(readFileSync(report, "utf8")) as {
      numFailedTests: number;
      numPassedTests: number;
      testResults: Array<{ assertionResults: Array<{ status: string; fullName: string }> }>;
    };
    const firstFailure = json.testResults.flatMap((f) => f.assertionResults).find((a) => a.status === "failed")?.fullName;
    return { failed: json.numFailedTests, passed: json.numPassedTests, firstFailure };
  } catch {
    return { failed: 0, passed: 0, firstFailure: undefined }; // no report: the run itself broke
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function plant(text: string, mutant: PlantedMutant): string | { stale: string } {
  let mutated = text;
  for (const edit of mutant.edits) {
    const count = mutated.split(edit.find).length - 1;
    if (count !== 1) return { stale: `${mutant.file} holds ${JSON.stringify(edit.find)} ${count} times, not once: update this mutant in scripts/mutation/src/planted.ts` };
    mutated = mutated.replace(edit.find, () => edit.replace);
  }
  return mutated;
}

/** Puts a planted file back if the process is stopped while it is mutated. */
function restoreOnSignal(path: string, original: string): () => void {
  const handler = (signal: NodeJS.Signals) => {
    writeFileSync(path, original);
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", handler);
  process.once("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

/** Each workspace's named test files, unmutated, must pass: else a mutant's failures mean nothing. */
export async function checkBaseline(root: string, mutants: readonly PlantedMutant[]): Promise<string[]> {
  const byWorkspace = new Map<string, Set<string>>();
  for (const m of mutants) byWorkspace.set(m.workspace, new Set([...(byWorkspace.get(m.workspace) ?? []), ...m.tests]));
  const problems: string[] = [];
  for (const [workspace, tests] of byWorkspace) {
    const outcome = await runVitest(root, workspace, [...tests]);
    if (outcome.failed > 0 || outcome.passed === 0) problems.push(`${workspace}: ${outcome.failed > 0 ? `"${outcome.firstFailure}" fails without any mutant` : "the tests did not run"}`);
  }
  return problems;
}

export async function runPlanted(root: string, mutants: readonly PlantedMutant[], onResult: (r: PlantedResult) => void = () => {}): Promise<PlantedResult[]> {
  const results: PlantedResult[] = [];
  for (const mutant of mutants) {
    const started = performance.now();
    const path = join(root, mutant.file);
    const original = readFileSync(path, "utf8");
    const mutated = plant(original, mutant);
    let status: PlantedStatus;
    let detail: string;
    if (typeof mutated !== "string") {
      [status, detail] = ["stale", mutated.stale];
    } else {
      const stopWatching = restoreOnSignal(path, original);
      let outcome: VitestOutcome;
      try {
        writeFileSync(path, mutated);
        outcome = await runVitest(root, mutant.workspace, mutant.tests);
      } finally {
        writeFileSync(path, original);
        stopWatching();
      }
      if (outcome.failed > 0) [status, detail] = ["killed", outcome.firstFailure ?? ""];
      else if (outcome.passed > 0) [status, detail] = ["survived", `${outcome.passed} test(s) passed with the bug in place`];
      else [status, detail] = ["error", "the tests did not run with the mutant in place (a syntax error in the edit?)"];
    }
    const result = { name: mutant.name, status, detail, seconds: Math.round((performance.now() - started) / 1000) };
    results.push(result);
    onResult(result);
  }
  return results;
}
