/**
 * `npm run mutation`: StrykerJS over the security-critical files (src/targets.ts), each target
 * judged by its own workspace's tests in their own vitest config (workerd for packages and
 * workers). Prints the plan, Stryker's progress, then each target's score against its floor and
 * the mutants that survived. Exits 1 when a target scores below its floor. On demand; not in CI.
 */
import { resolve } from "node:path";
import { createCli, runCli, wholeNumber } from "@edge-mcp/dev";
import { Option } from "commander";
import pkg from "../package.json" with { type: "json" };
import { formatDuration, printPlan, printResult, printSummary } from "./report.ts";
import { MUTATION_DEFAULTS, runTarget, type TargetResult } from "./run-target.ts";
import { belowFloor, selectTargets, TARGETS } from "./targets.ts";

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
  description: "Mutation-test the security-critical files with StrykerJS, each against its own workspace's tests (Workers pool included).",
  examples: [SCRIPT, `${SCRIPT} -- --target oauth --target gateway`, `${SCRIPT} -- --incremental`, `${SCRIPT} -- --list`, `${SCRIPT} -- --json > mutation.json`],
})
  .addOption(new Option("-t, --target <name...>", "run only these targets (default: all)").choices(TARGETS.map((t) => t.name)).default([]))
  .option("--incremental", "reuse results for mutants whose code and covering tests did not change since the last run", false)
  .option("--concurrency <n>", "Stryker test-runner processes (each runs vitest and workerd)", wholeNumber(1, 16), MUTATION_DEFAULTS.concurrency)
  .option("--json", "print one JSON summary instead of progress and tables", false)
  .option("--list", "print the targets, their files and floors, and exit", false)
  .action(async (flags: Flags) => {
    const targets = selectTargets(flags.target);
    if (flags.list) {
      printPlan(targets, flags);
      return;
    }
    // Stryker reads paths from the working directory: the repo root, two levels above this workspace.
    const root = resolve(import.meta.dirname, "../../..");
    process.chdir(root);
    if (!flags.json) printPlan(targets, flags);
    const results: TargetResult[] = [];
    const started = performance.now();
    for (const target of targets) {
      if (!flags.json) console.log(`\n▸ ${target.name} (${target.workspace}): the initial test run, then each mutant against the tests that reach it`);
      const result = await runTarget(target, root, { concurrency: flags.concurrency, incremental: flags.incremental, quiet: flags.json });
      results.push(result);
      if (!flags.json) printResult(target, result);
    }
    const below = results.filter((r) => belowFloor(r, targets));
    if (flags.json) {
      console.log(JSON.stringify({ results, belowFloor: below.map((r) => r.target), reports: MUTATION_DEFAULTS.reportDir }, null, 2));
    } else {
      printSummary(results, formatDuration((performance.now() - started) / 1000));
    }
    if (below.length > 0) process.exitCode = 1;
  });

await runCli(program, SCRIPT);
