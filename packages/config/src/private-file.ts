import { chmodSync, mkdirSync, openSync, closeSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Writes a secret file atomically with mode 0600: a temporary file with a random name in the
 * same directory, created exclusively (`wx` — a planted file or symlink at that name makes the
 * write fail instead of being followed), then renamed over the target. Removed on failure.
 */
export function writePrivateFile(file: string, content: string): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${crypto.randomUUID()}.tmp`);
  const fd = openSync(tmp, "wx", 0o600);
  try {
    writeSync(fd, content);
    closeSync(fd);
    renameSync(tmp, file);
    chmodSync(file, 0o600);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}
