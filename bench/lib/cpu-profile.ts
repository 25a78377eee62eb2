/**
 * CPU profiles of workers on bare workerd, through its V8 inspector (`startWorkerd(…, {
 * inspectorPort })`): where a request's CPU time goes, by function, while a load runs. Sampling
 * profiles (V8 `Profiler`, 100 µs): self time per function, as shares of all samples — compare
 * shares, not absolute times (the profiler itself slows the isolate down).
 */
import { printTable } from "./stats.ts";

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly hitCount?: number;
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
}

/** One inspector session on one service's isolate (`ws://…/<service>`, as its `/json/list` names it). */
async function session(inspectorPort: number, service: string) {
  const socket = new WebSocket(`ws://127.0.0.1:${inspectorPort}/${service}`);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error(`no inspector for ${service} on port ${inspectorPort}`)), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  const send = <T>(method: string, params: Record<string, unknown> = {}) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve as (result: unknown) => void);
      socket.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => socket.close() };
}

/** Runs `load` while profiling each service; returns each service's profile. */
export async function profileDuring(inspectorPort: number, services: readonly string[], load: () => Promise<void>): Promise<Map<string, Profile>> {
  const sessions = await Promise.all(services.map(async (name) => ({ name, s: await session(inspectorPort, name) })));
  for (const { s } of sessions) {
    await s.send("Profiler.enable");
    await s.send("Profiler.setSamplingInterval", { interval: 100 });
    await s.send("Profiler.start");
  }
  await load();
  const profiles = new Map<string, Profile>();
  for (const { name, s } of sessions) {
    profiles.set(name, (await s.send<{ profile: Profile }>("Profiler.stop")).profile);
    s.close();
  }
  return profiles;
}

const nameOf = ({ functionName, url, lineNumber }: CallFrame) =>
  `${functionName === "" ? "(anonymous)" : functionName}${url === "" ? "" : ` (${url.split("/").at(-1)}:${lineNumber + 1})`}`;

/**
 * Shares of all samples (idle, GC and program time included) by the keys `keysOf` gives each
 * sampled node — its stack from the node up to the root, as `(node, parent)` — largest first.
 */
function topShares(profile: Profile, limit: number, keysOf: (node: ProfileNode, parent: (node: ProfileNode) => ProfileNode | undefined) => Iterable<string>): Array<{ function: string; share: number }> {
  const parents = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
  const parent = (node: ProfileNode) => {
    const up = parents.get(node.id);
    return up === undefined || up.callFrame.functionName === "(root)" ? undefined : up;
  };
  const byKey = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    total += hits;
    for (const key of keysOf(node, parent)) byKey.set(key, (byKey.get(key) ?? 0) + hits);
  }
  return [...byKey]
    .sort((x, y) => y[1] - x[1])
    .slice(0, limit)
    .map(([name, hits]) => ({ function: name, share: hits / total }));
}

/**
 * The call paths with the most self time: each function with its `depth` nearest callers, so an
 * anonymous or library function is attributed to the code that called it.
 */
export function topSelfTime(profile: Profile, limit = 25, depth = 2): Array<{ function: string; share: number }> {
  return topShares(profile, limit, (node, parent) => {
    const path = [nameOf(node.callFrame)];
    for (let up = parent(node); up !== undefined && path.length <= depth; up = parent(up)) path.push(nameOf(up.callFrame));
    return [path.join(" ← ")];
  });
}

/** Prints `topSelfTime` of a profile as a table under `title`. */
export function printTopSelfTime(title: string, profile: Profile, depth: number): void {
  console.log(`\n${title}`);
  printTable(topSelfTime(profile, 30, depth).map((row) => ({ function: row.function, share: `${(row.share * 100).toFixed(1)}%` })));
}

/**
 * The functions with the most inclusive time (their own and their callees'): what a whole step
 * costs (`messagesFrom`, `handleMcp`, `fetch`), however flat its self time is spread. A sample
 * counts once per function, even under recursion.
 */
export function topInclusiveTime(profile: Profile, limit = 40): Array<{ function: string; share: number }> {
  return topShares(profile, limit, (node, parent) => {
    const names = new Set<string>();
    for (let at: ProfileNode | undefined = node; at !== undefined; at = parent(at)) names.add(nameOf(at.callFrame));
    return names;
  });
}

/** Prints `topInclusiveTime` of a profile as a table under `title`. */
export function printTopInclusiveTime(title: string, profile: Profile): void {
  console.log(`\n${title}`);
  printTable(topInclusiveTime(profile).map((row) => ({ function: row.function, share: `${(row.share * 100).toFixed(1)}%` })));
}
