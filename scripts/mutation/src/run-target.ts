/**
 * One target through StrykerJS: mutate its files in a sandbox (a copy of the repo with only
 * what the workspace's tests need), and judge each mutant by that workspace's own tests in its
 * own vitest config — inside workerd for packages and workers, in Node for the provisioner.
 */
import type { LogLevel, PartialStrykerOptions } from "@stryker-mutator/api/core";
import { Stryker } from "@stryker-mutator/core";
import { fileURLToPath } from "node:url";
import { mutatePatterns } from "./mutate-patterns.ts";
import { scoreOf, type TargetScore } from "./score.ts";
import type { MutationTarget } from "./targets.ts";
import { WORKSPACE_ENV } from "./workspace-env.ts";

/** Defaults of a run, with units. */
export const MUTATION_DEFAULTS = {
  /** Stryker test-runner processes; each runs its own vitest (and workerd). One per core here. */
  concurrency: 2,
  /** Added to a mutant's expected test time before it counts as a timeout (ms): workerd restarts are slow. */
  timeoutMs: 30_000,
  /** Where the HTML and JSON reports (and incremental state) go, relative to the repo root. */
  reportDir: "reports/mutation",
} as const;

export interface RunTargetOptions {
  readonly concurrency: number;
  /** Reuse results of mutants whose code and covering tests did not change since the last run. */
  readonly incremental: boolean;
  /** Stryker's own progress and log lines; off for `--json`. */
  readonly quiet: boolean;
}

export interface TargetResult extends TargetScore {
  readonly target: string;
  readonly seconds: number;
}

/**
 * The sandbox keeps the root manifests, this tool (the vitest config shim), the target's
 * workspace and the root files its tests read (`alsoCopies`); the rest of the repo stays out.
 */
export function sandboxIgnorePatterns(target: Pick<MutationTarget, "workspace" | "alsoCopies">): string[] {
  const top = target.workspace.split("/")[0];
  const patterns = ["/*", "!/package.json", "!/tsconfig.base.json", ...(target.alsoCopies ?? []).map((f) => `!/${f}`), "!/scripts", "/scripts/*", "!/scripts/mutation"];
  if (top !== "scripts") patterns.push(`!/${top}`, `/${top}/*`);
  patterns.push(`!/${target.workspace}`);
  return patterns;
}

export function strykerOptions(target: MutationTarget, root: string, options: RunTargetOptions): PartialStrykerOptions {
  const report = `${MUTATION_DEFAULTS.reportDir}/${target.name}`;
  return {
    testRunner: "vitest",
    vitest: { configFile: "scripts/mutation/src/workspace-vitest-config.ts", related: false },
    mutate: mutatePatterns(target, root),
    ...(target.tests === undefined ? {} : { testFiles: target.tests.map((t) => `${target.workspace}/${t}`) }),
    appendPlugins: [fileURLToPath(new URL("./prose-ignorer.ts", import.meta.url))],
    ignorers: ["prose"],
    // Module-level code (a constant list, a schema) runs once per module instance, and the Workers
    // pool keeps module instances across Stryker's runs: such a "static" mutant is never active
    // under test and would survive falsely. They are skipped here; src/planted.ts covers the ones that matter.
    ignoreStatic: true,
    ignorePatterns: sandboxIgnorePatterns(target),
    // Run, for each mutant, only the tests that reached its code in the initial run.
    coverageAnalysis: "perTest",
    concurrency: options.concurrency,
    timeoutMS: MUTATION_DEFAULTS.timeoutMs,
    incremental: options.incremental,
    incrementalFile: `${report}.incremental.json`,
    reporters: options.quiet ? ["html", "json"] : ["progress", "html", "json"],
    htmlReporter: { fileName: `${report}.html` },
    jsonReporter: { fileName: `${report}.json` },
    logLevel: (options.quiet ? "error" : "warn") as LogLevel,
    fileLogLevel: "off" as LogLevel, // (a const enum of these strings, which type-only imports cannot name)
    // Scores are reported (and held to each target's floor) by this tool, not by Stryker's exit code.
    thresholds: { high: 90, low: 75, break: null },
  };
}

/** Runs Stryker for one target from the repo root (`root` must be the process's working directory). */
export async function runTarget(target: MutationTarget, root: string, options: RunTargetOptions): Promise<TargetResult> {
  if (process.cwd() !== root) throw new Error(`the mutation check runs from the repo root (${root}), not ${process.cwd()}`);
  const started = performance.now();
  // Inherited by Stryker's test-runner processes, where the vitest config shim reads it.
  process.env[WORKSPACE_ENV] = target.workspace;
  try {
    const results = await new Stryker(strykerOptions(target, root, options)).runMutationTest();
    return { target: target.name, seconds: Math.round((performance.now() - started) / 1000), ...scoreOf(results, root) };
  } finally {
    delete process.env[WORKSPACE_ENV];
  }
}
