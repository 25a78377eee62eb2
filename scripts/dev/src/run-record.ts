/**
 * `.dev-auth/dev-run.json`: which `npm run dev` is running and its reaper. A new run whose
 * predecessor was killed waits for that run's reaper to finish stopping its workers (a few
 * seconds), instead of failing on ports they still hold. Only recorded PIDs are looked at.
 */
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { isAlive } from "./child-reaper.ts";

const RecordSchema = z.object({ pid: z.number().int().positive(), reaperPid: z.number().int().positive().optional() });
/** How long a new run waits for a killed run's reaper, in milliseconds. */
const PREVIOUS_RUN_WAIT_MS = 15_000;

const recordFile = (root: string) => join(root, ".dev-auth", "dev-run.json");

/** Waits (bounded) while a killed previous run's reaper is still stopping its workers. */
export async function waitForPreviousRun(root: string, log: (line: string) => void): Promise<void> {
  const file = recordFile(root);
  if (!existsSync(file)) return;
  const record = RecordSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!record.success || isAlive(record.data.pid)) return; // a live run keeps its ports: the port check names them
  const reaper = record.data.reaperPid;
  if (reaper !== undefined && isAlive(reaper)) {
    log(`the previous run (pid ${record.data.pid}) was killed; waiting for its workers to stop …`);
    const deadline = Date.now() + PREVIOUS_RUN_WAIT_MS;
    while (isAlive(reaper) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  }
  rmSync(file, { force: true });
}

/** Records this run; returns the function that removes the record on a clean stop. */
export function recordRun(root: string, reaperPid: number | undefined): () => void {
  const file = recordFile(root);
  mkdirSync(join(root, ".dev-auth"), { recursive: true });
  writeFileSync(file, JSON.stringify({ pid: process.pid, ...(reaperPid === undefined ? {} : { reaperPid }) }));
  return () => rmSync(file, { force: true });
}
