/**
 * Progress of a long apply (356 writes take about 3 minutes at 2 requests/s): on a terminal one
 * line rewritten in place — n of N, the change, time left — and on anything else (CI logs) a
 * plain line per change.
 */
export interface ApplyProgress {
  /** The number of changes done so far, of `total`; the change just applied. */
  update(done: number, total: number, label: string): void;
  /** Ends the in-place line. */
  done(): void;
}

interface Out {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** "2 min 5 s", "40 s". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
}

export function createProgress(out: Out, now: () => number = Date.now): ApplyProgress {
  const started = now();
  let inPlace = false;
  return {
    update(done, total, label) {
      const elapsed = now() - started;
      const left = done === 0 ? undefined : (elapsed / done) * (total - done);
      const text = `  [${done}/${total}] ${label}${left === undefined || done === total ? "" : ` — about ${formatDuration(left)} left`}`;
      if (out.isTTY) {
        out.write(`\r\x1b[2K${text}`);
        inPlace = true;
      } else {
        out.write(`${text}\n`);
      }
    },
    done() {
      if (inPlace) out.write("\n");
      inPlace = false;
    },
  };
}
