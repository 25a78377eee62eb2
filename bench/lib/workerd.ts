/**
 * Runs Workers on bare workerd (`workerd serve`), without wrangler's Node proxy in front
 * (which caps a hello-world Worker at ~600 req/s here). Bundles come from
 * `wrangler deploy --dry-run --outdir`, i.e. exactly what would be uploaded.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitForHttp, type Bundle } from "@edge-mcp/dev";

export { bundleWorker, type Bundle } from "@edge-mcp/dev";

const repoRoot = new URL("../..", import.meta.url).pathname;


/** The workerd binary that the pinned wrangler uses. */
export function workerdBinary(): string {
  const path = join(repoRoot, "node_modules", "@cloudflare", "workerd-linux-64", "bin", "workerd");
  if (!existsSync(path)) throw new Error(`workerd not found at ${path}; run npm install`);
  return path;
}

/**
 * CPU pinning, when `taskset` exists and there are ≥ 2 cores: servers on one core, the load
 * generator (this process) on another, so every system measured gets the same single core and
 * nothing competes with the load generator for it.
 */
export const SERVER_CPU = 1;
export const LOAD_CPU = 0;
const canPin = (() => {
  try {
    return availableParallelism() >= 2 && spawnSync("taskset", ["-c", "0", "true"]).status === 0;
  } catch {
    return false;
  }
})();

export function pinned(command: string, args: string[], cpu: number): [string, string[]] {
  return canPin ? ["taskset", ["-c", String(cpu), command, ...args]] : [command, args];
}

/** The line a bench prints under its heading: how servers and load generator shared the cores. */
export function pinningNote(pinnedRun: boolean): string {
  return pinnedRun ? `servers pinned to CPU ${SERVER_CPU}, load generator to CPU ${LOAD_CPU} (taskset)\n` : "no CPU pinning (taskset unavailable): servers and load generator share the cores\n";
}

/** Pins the current process (the load generator) to `cpu`; returns whether it did. */
export function pinSelf(cpu: number): boolean {
  return canPin && spawnSync("taskset", ["-p", "-c", String(cpu), String(process.pid)], { stdio: "ignore" }).status === 0;
}

export interface WorkerdService {
  name: string;
  bundle: Bundle;
  port: number;
  bindings: Record<string, string>;
  /** Class name of a SQLite-backed Durable Object the worker exports, if any. */
  durableObject?: { className: string; binding: string };
  /** Service bindings to other services of the same run, optionally to a named entrypoint (RPC). */
  services?: ReadonlyArray<{ binding: string; service: string; entrypoint?: string }>;
}

const capnpString = (value: string) => JSON.stringify(value);

/** Writes a workerd config for the services and starts `workerd serve` (with `inspectorPort`: its V8 inspector, for CPU profiles). */
export async function startWorkerd(services: WorkerdService[], options: { inspectorPort?: number } = {}): Promise<{ stop(): void; process: ChildProcess; stderr(): string }> {
  const dir = mkdtempSync(join(tmpdir(), "edge-mcp-workerd-"));
  const lines: string[] = ['using Workerd = import "/workerd/workerd.capnp";', "const config :Workerd.Config = ("];
  lines.push("  services = [");
  const ident = (i: number) => `worker${i}`; // capnp declarations must be camelCase
  services.forEach((s, i) => lines.push(`    (name = ${capnpString(s.name)}, worker = .${ident(i)}),`));
  lines.push('    (name = "internet", network = (allow = ["local", "private", "public"])),');
  // Durable Object storage on disk, as in production: workerd evicts idle objects, and an
  // in-memory store would lose every session with them.
  mkdirSync(join(dir, "do-storage"));
  lines.push(`    (name = "do-storage", disk = (path = ${capnpString(join(dir, "do-storage"))}, writable = true)),`);
  lines.push("  ],");
  lines.push("  sockets = [");
  for (const s of services) lines.push(`    (name = ${capnpString(`s_${s.name}`)}, address = "127.0.0.1:${s.port}", http = (), service = ${capnpString(s.name)}),`);
  lines.push("  ],");
  lines.push(");");
  for (const [i, s] of services.entries()) {
    const id = ident(i);
    const bindings = Object.entries(s.bindings).map(([k, v]) => `(name = ${capnpString(k)}, text = ${capnpString(v)})`);
    if (s.durableObject) bindings.push(`(name = ${capnpString(s.durableObject.binding)}, durableObjectNamespace = ${capnpString(s.durableObject.className)})`);
    for (const b of s.services ?? []) {
      bindings.push(`(name = ${capnpString(b.binding)}, service = (name = ${capnpString(b.service)}${b.entrypoint === undefined ? "" : `, entrypoint = ${capnpString(b.entrypoint)}`}))`);
    }
    lines.push(`const ${id} :Workerd.Worker = (`);
    // capnp `embed` paths are relative to the config file: copy the bundle beside it.
    const local = `bundle-${i}.js`;
    copyFileSync(s.bundle.main, join(dir, local));
    lines.push(`  modules = [(name = "index.js", esModule = embed ${capnpString(local)})],`);
    lines.push('  compatibilityDate = "2026-10-23",');
    lines.push('  compatibilityFlags = ["nodejs_compat"],');
    lines.push(`  bindings = [${bindings.join(", ")}],`);
    if (s.durableObject) {
      lines.push(`  durableObjectNamespaces = [(className = ${capnpString(s.durableObject.className)}, uniqueKey = ${capnpString(`${s.name}-do`)}, enableSql = true)],`);
      lines.push('  durableObjectStorage = (localDisk = "do-storage"),');
    }
    lines.push(");");
  }
  const configPath = join(dir, "config.capnp");
  writeFileSync(configPath, lines.join("\n"));
  const inspector = options.inspectorPort === undefined ? [] : [`--inspector-addr=127.0.0.1:${options.inspectorPort}`];
  const [command, args] = pinned(workerdBinary(), ["serve", configPath, "--experimental", ...inspector], SERVER_CPU);
  const child = spawn(command, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += String(d)));
  const lastOutput = () => stderr.slice(-3000);
  try {
    for (const s of services) await waitForHttp(`http://127.0.0.1:${s.port}/`, 20_000);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`workerd did not start: ${String(error)}\n${lastOutput()}`);
  }
  // A workerd that dies mid-bench would otherwise surface only as refused or closed connections.
  let stopping = false;
  child.once("exit", (code, signal) => {
    if (!stopping) console.error(`workerd exited during the bench (${code === null ? `signal ${signal}` : `code ${code}`}); its last output:\n${lastOutput()}`);
  });
  return {
    process: child,
    stderr: lastOutput,
    stop: () => {
      stopping = true;
      child.kill("SIGTERM");
    },
  };
}
