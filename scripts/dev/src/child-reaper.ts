/**
 * Makes `npm run dev`'s children die with it, however it dies. A detached reaper process (its
 * own session, so closing the terminal does not reach it) reads the process groups of the
 * children from a pipe; when the pipe closes — the parent exited, was killed with SIGKILL, or
 * its terminal went away — it stops every recorded group (SIGTERM, then SIGKILL) and exits.
 * Only the PIDs this run recorded are ever signalled, never processes found by name.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface ChildReaper {
  /** Records a child (a process-group leader) to stop if the parent dies. */
  watch(pid: number): void;
  /** Forgets a child that has exited. */
  forget(pid: number): void;
  /** The reaper's own PID. */
  readonly pid: number | undefined;
  /** Ends the reaper (after the parent stopped its children itself). */
  close(): void;
}

const REAPER_SCRIPT = fileURLToPath(new URL("./reaper-process.ts", import.meta.url));

export function startChildReaper(): ChildReaper {
  const reaper: ChildProcess = spawn(process.execPath, [REAPER_SCRIPT], {
    stdio: ["pipe", "ignore", "ignore"],
    detached: true,
  });
  reaper.unref();
  const pipe = reaper.stdin!;
  // The pipe must not keep the parent alive, and a reaper that died must not crash it.
  (pipe as unknown as { unref?: () => void }).unref?.();
  pipe.on("error", () => {});
  const send = (line: string) => {
    if (!pipe.destroyed) pipe.write(`${line}\n`);
  };
  return {
    watch: (pid) => send(`watch ${pid}`),
    forget: (pid) => send(`forget ${pid}`),
    pid: reaper.pid,
    close: () => pipe.end(),
  };
}

/** Stops a process group (or, on Windows, a process tree). Never throws. */
export function killGroup(pid: number, signal: "SIGTERM" | "SIGKILL"): void {
  try {
    if (process.platform === "win32") spawnSync("taskkill", ["/pid", String(pid), "/T", ...(signal === "SIGKILL" ? ["/F"] : [])]);
    else process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Whether a process (or process group, on POSIX) still exists. */
export function isAlive(pid: number, group = false): boolean {
  try {
    process.kill(group && process.platform !== "win32" ? -pid : pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
