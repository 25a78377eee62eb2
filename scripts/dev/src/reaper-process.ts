/**
 * The reaper process of child-reaper.ts: reads `watch <pid>` / `forget <pid>` lines on stdin;
 * when stdin ends (its parent is gone), stops every watched process group and exits.
 */
import { isAlive, killGroup } from "./child-reaper.ts";

const GRACE_MS = 3_000;
const watched = new Set<number>();
let buffered = "";

process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  buffered += chunk;
  const lines = buffered.split("\n");
  buffered = lines.pop() ?? "";
  for (const line of lines) {
    const match = /^(watch|forget) (\d+)$/.exec(line.trim());
    if (match === null) continue;
    const pid = Number(match[2]);
    if (match[1] === "watch") watched.add(pid);
    else watched.delete(pid);
  }
});
process.stdin.on("end", () => void reap());
process.stdin.on("error", () => void reap());
// A terminal hang-up must not stop the reaper before it has done its job.
process.on("SIGHUP", () => {});

async function reap(): Promise<void> {
  const alive = () => [...watched].filter((pid) => isAlive(pid, true));
  for (const pid of alive()) killGroup(pid, "SIGTERM");
  const deadline = Date.now() + GRACE_MS;
  while (alive().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of alive()) killGroup(pid, "SIGKILL");
  process.exit(0);
}
