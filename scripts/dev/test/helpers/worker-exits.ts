/**
 * A fleet test's record of workers whose `wrangler dev` ended on its own mid-run. Without it such a
 * run fails with refused connections and no word of why; with it each test after the exit fails
 * naming the worker, how it ended and its last output (register `check` with `afterEach`).
 */
export function workerExits(): { onWorkerExit: (slug: string, how: string, lastOutput: string) => void; check: () => void } {
  const exits = new Map<string, string>();
  return {
    onWorkerExit: (slug, how, lastOutput) => exits.set(slug, `${how}; its last output:\n${lastOutput}`),
    check() {
      if (exits.size === 0) return;
      throw new Error([...exits].map(([slug, what]) => `${slug}'s wrangler dev ended on its own during the run: ${what}`).join("\n\n"));
    },
  };
}
