/**
 * The plan/apply commands of the CLI: run the reconciliation with the user's flags, ask before
 * deleting (only on a terminal), show progress, and print the plan, the summary, or JSON.
 */
import { createInterface } from "node:readline/promises";
import { createProgress } from "./progress.ts";
import { runProvision, type ProvisionOptions, type ProvisionResult } from "./provision.ts";

export interface ProvisionFlags {
  json: boolean;
  dryRun: boolean;
  verbose: boolean;
  only?: string;
  allowDelete?: boolean;
  yes?: boolean;
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question(`${question} Type "yes" to continue: `);
  rl.close();
  return answer.trim() === "yes";
}

export function runProvisionCommand(options: Omit<ProvisionOptions, "log" | "dryRun" | "allowDelete" | "yes" | "confirm" | "only" | "onProgress"> & { flags: ProvisionFlags }): Promise<ProvisionResult> {
  const { flags, ...rest } = options;
  const log = (line: string) => {
    if (!flags.json) console.log(line);
  };
  const progress = flags.json ? undefined : createProgress(process.stdout);
  return runProvision({
    ...rest,
    dryRun: flags.dryRun,
    allowDelete: flags.allowDelete ?? false,
    yes: flags.yes ?? false,
    confirm,
    ...(flags.only === undefined ? {} : { only: flags.only }),
    // Without --verbose: the reading line, then progress (n of N, time left) instead of a line per change.
    log: flags.verbose ? log : (line) => (line.startsWith("Reading") ? log(line) : undefined),
    ...(progress === undefined || flags.verbose ? {} : { onProgress: progress.update }),
  }).finally(() => progress?.done());
}

export function printProvision(result: ProvisionResult, mode: "plan" | "apply", flags: ProvisionFlags): void {
  if (flags.json) {
    console.log(JSON.stringify({ command: mode === "plan" ? "plan" : "provision", dryRun: flags.dryRun, summary: result.summary, changes: result.plan.changes, applied: result.applied, envKeysWritten: result.envKeysWritten, managementCalls: result.managementCalls, writeCalls: result.writeCalls }, null, 2));
    return;
  }
  console.log(result.text);
  if (mode === "plan" || flags.dryRun) return;
  console.log(`\nApplied ${result.applied} change(s) with ${result.managementCalls} Management API call(s) (${result.writeCalls} writes).`);
  if (result.envKeysWritten.length > 0) console.log(`Wrote ${result.envKeysWritten.join(", ")} to the managed block of .env (values not shown).`);
  if (result.summary.orphaned > 0) console.log("Orphaned objects were left in place; re-run with --allow-delete to remove them.");
}
