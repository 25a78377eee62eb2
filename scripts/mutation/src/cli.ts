/**
 * `npm run mutation`: StrykerJS over the security-critical files (src/targets.ts), each target
 * judged by its own workspace's tests in their own vitest config (workerd for packages and
 * workers). Prints the plan, Stryker's progress, then each target's score against its floor and
 * the mutants that survived; then the hand-made mutants (src/planted.ts), each of which must be
 * caught. Exits 1 when a target scores below its floor or a planted mutant is not caught. On
 * demand; not in CI.
 */
import { resolve } from "node:path";
import { createCli, runCli, wholeNumber } from "@edge-mcp/dev/cli-kit";
import { Option } from "commander";
import pkg from "../package.json" with { type: "json" };
import { PLANTED } from "./planted.ts";
import { formatDuration, printPlan, printPlantedResult, printResult, printSummary } from "./report.ts";
import { checkBaseline, runPlanted, type PlantedResult } from "./run-planted.ts";
import { MUTATION_DEFAULTS, runTarget, type TargetResult } from "./run-target.ts";
import { belowFloor, PLANTED_TARGET, selectTargets, TARGETS } from "./targets.ts";

const SCRIPT = "npm run mutation";

interface Flags {
  target: string[];
  incremental: boolean;
  concurrency: number;
  json: boolean;
  list: boolean;
}

const program = createCli({
  name: "mutation",
  script: SCRIPT,
  version: pkg.version,
  description: "Mutation-test the security-critical files with StrykerJS, each against its own workspace's tests (Workers pool included), then plant the hand-made mutants Stryker cannot.",
  examples: [SCRIPT, `${SCRIPT} -- --target oauth gateway`, `${SCRIPT} -- --target planted`, `${SCRIPT} -- --incremental`, `${SCRIPT} -- --list`, `${SCRIPT} -- --json > mutation.json`],
})
  .addOption(new Option("-t, --target <name...>", "run only these targets (default: all); `planted` is the hand-made list").choices([...TARGETS.map((t) => t.name), PLANTED_TARGET]).default([]))
  .option("--incremental", "reuse Stryker's results for mutants whose code and covering tests did not change since the last run", false)
  .option("--concurrency <n>", "Stryker test-runner processes (each runs vitest and workerd)", wholeNumber(1, 16), MUTATION_DEFAULTS.concurrency)
  .option("--json", "print one JSON summary instead of progress and tables", false)
  .option("--list", "print the targets, their files and floors, and the hand-made mutants, and exit", false)
  .action(async (flags: Flags) => {
    const selection = selectTargets(flags.target);
    if (flags.list || !flags.json) printPlan(selection, flags);
    if (flags.list) return;
    // Stryker reads paths from the working directory: the repo root, two levels above this workspace.
    const root = resolve(import.meta.dirname, "../../..");
    process.chdir(root);
    const started = performance.now();
    const results: TargetResult[] = [];
    const stopped: Array<{ target: string; reason: string }> = [];
    for (const target of selection.targets) {
      if (!flags.json) console.log(`\n▸ ${target.name} (${target.workspace}): the initial test run, then each mutant against the tests that reach it`);
      try {
        const result = await runTarget(target, root, { concurrency: flags.concurrency, incremental: flags.incremental, quiet: flags.json });
        results.push(result);
        if (!flags.json) printResult(target, result);
      } catch (error) {
        // Stryker stops a target whose tests fail unmutated (its log above names them): the others still run.
        const reason = error instanceof Error ? error.message : String(error);
        stopped.push({ target: target.name, reason });
        if (!flags.json) console.log(`${target.name}: not scored — ${reason} Make \`npm test\` pass in ${target.workspace} first.`);
      }
    }
    const planted = selection.planted ? await plantAll(root, flags.json) : undefined;
    const below = results.filter((r) => belowFloor(r, selection.targets));
    const plantedMissed = (planted?.results ?? []).filter((r) => r.status !== "killed");
    if (flags.json) {
      console.log(JSON.stringify({ results, stopped, belowFloor: below.map((r) => r.target), planted, reports: MUTATION_DEFAULTS.reportDir }, null, 2));
    } else {
      printSummary(results, planted?.results, formatDuration((performance.now() - started) / 1000));
    }
    if (below.length > 0 || stopped.length > 0 || plantedMissed.length > 0 || (planted?.baseline.length ?? 0) > 0) process.exitCode = 1;
  });

/** The hand-made mutants, after checking their tests pass unmutated. */
async function plantAll(root: string, quiet: boolean): Promise<{ baseline: string[]; results: PlantedResult[] }> {
  if (!quiet) console.log(`\n▸ planted: ${PLANTED.length} hand-made mutants; first their tests, unmutated`);
  const baseline = await checkBaseline(root, PLANTED);
  if (baseline.length > 0) {
    if (!quiet) console.log(`Not planted — tests fail without any mutant:\n${baseline.map((b) => `  ${b}`).join("\n")}`);
    return { baseline, results: [] };
  }
  return { baseline, results: await runPlanted(root, PLANTED, quiet ? undefined : printPlantedResult) };
}

await runCli(program, SCRIPT);
