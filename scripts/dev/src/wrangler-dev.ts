import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";

/** A package's bin script, found the way Node finds packages (its `exports` may hide the path). */
export function binOf(pkg: string, name: string, from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "node_modules", pkg, "package.json");
    if (existsSync(manifest)) {
      const bin = (JSON.parse(readFileSync(manifest, "utf8")) as { bin: string | Record<string, string> }).bin;
      return join(dirname(manifest), typeof bin === "string" ? bin : bin[name]!);
    }
  }
  throw new Error(`${pkg} is not installed; run npm install`);
}

export interface WranglerDevOptions {
  /** The worker's directory (holds wrangler.toml). */
  cwd: string;
  port: number;
  inspectorPort: number;
  vars: Record<string, string>;
  /** `--persist-to`: where local Durable Object / KV state lives (default the worker's `.wrangler/state`). */
  persistTo?: string;
  /**
   * Where wrangler's dev registry lives (`WRANGLER_REGISTRY_PATH`): workers sharing one find each
   * other's service bindings (a gateway's backends). Default wrangler's own, per user.
   */
  registryDir?: string;
  /** Called with each line wrangler prints. */
  onOutput?: (line: string) => void;
  /**
   * Called once if wrangler exits without `stop()` having been called (a crash, a port taken),
   * with how it ended ("code 1", "signal SIGKILL") and the last of its output — after `ready()`
   * nothing else would notice.
   */
  onUnexpectedExit?: (how: string, lastOutput: string) => void;
  /**
   * Service bindings added for this run only (e.g. AUTH_SERVER → the OAuth facade in facade
   * mode), without touching the worker's wrangler.toml: the run uses a copy of it with these
   * appended, written under the worker's git-ignored `.wrangler/`.
   */
  extraServices?: readonly ServiceBinding[];
}

/** A service binding added to a worker for one run; `entrypoint` names a `WorkerEntrypoint` class (e.g. `McpBackend`). */
export interface ServiceBinding {
  readonly binding: string;
  readonly service: string;
  readonly entrypoint?: string;
}

/**
 * The worker's wrangler.toml with extra service bindings, as a config file beside its state. One
 * file per run (named by its port): wrangler dev reloads when its config file is written, so two
 * runs sharing one file — two `npm run dev`, or test files starting fleets side by side — would
 * restart each other's workers mid-request.
 */
export function configWithServices(cwd: string, port: number, services: readonly ServiceBinding[]): string {
  const original = readFileSync(join(cwd, "wrangler.toml"), "utf8");
  // The copy lives one directory down: `main` and `[assets] directory` are relative to the config file
  // (a custom `[build]` command runs where wrangler runs: the worker's directory, unchanged).
  const moved = original.replace(/^(main|directory)\s*=\s*"([^"/][^"]*)"/gm, (_, key: string, path: string) => `${key} = "${posix.join("..", path)}"`);
  const extra = services.map((s) => `\n[[services]]\nbinding = "${s.binding}"\nservice = "${s.service}"\n${s.entrypoint === undefined ? "" : `entrypoint = "${s.entrypoint}"\n`}`).join("");
  const dir = join(cwd, ".wrangler");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `wrangler.dev-run-${port}.toml`);
  writeFileSync(path, `# Written by npm run dev for one run; edit wrangler.toml instead.\n${moved}${extra}`);
  return path;
}

export interface WranglerDev {
  readonly child: ChildProcess;
  /**
   * Resolves when `/health` answers (any status; with `healthy`, only 200) — rejects if wrangler
   * exits first or the time runs out.
   */
  ready(timeoutMs?: number, options?: { healthy?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

/** `wrangler dev` for one worker, on 127.0.0.1, non-interactive, with vars overriding wrangler.toml. */
export function startWranglerDev(options: WranglerDevOptions): WranglerDev {
  const args = [
    binOf("wrangler", "wrangler", options.cwd),
    "dev",
    "--port", String(options.port),
    "--ip", "127.0.0.1",
    "--inspector-port", String(options.inspectorPort),
    "--show-interactive-dev-session=false",
    "--log-level", "warn",
  ];
  let runConfig: string | undefined;
  if (options.extraServices !== undefined && options.extraServices.length > 0) {
    runConfig = configWithServices(options.cwd, options.port, options.extraServices);
    args.push("--config", runConfig);
    // State stays where a plain run keeps it, not beside the copied config.
    args.push("--persist-to", options.persistTo ?? join(options.cwd, ".wrangler", "state"));
  } else if (options.persistTo !== undefined) args.push("--persist-to", options.persistTo);
  for (const [key, value] of Object.entries(options.vars)) args.push("--var", `${key}:${value}`);
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
    // The vars in the environment too: a rendered wrangler.toml declares its required secrets
    // (`[secrets] required`), which wrangler dev then takes from the environment, not from --var.
    env: { ...process.env, ...options.vars, WRANGLER_SEND_METRICS: "false", ...(options.registryDir === undefined ? {} : { WRANGLER_REGISTRY_PATH: options.registryDir }) },
    detached: process.platform !== "win32", // its own process group: stop() ends workerd too
  });
  let output = "";
  const onData = (d: Buffer) => {
    const text = String(d);
    output = (output + text).slice(-8_000);
    for (const line of text.split("\n")) if (line.trim() !== "") options.onOutput?.(line);
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  let stopping = false;
  /** How wrangler ended ("code 1", "signal SIGKILL"), once it has: exitCode stays null after a signal. */
  let ended: string | undefined;
  const exited = new Promise<number>((resolve) =>
    child.once("exit", (code, signal) => {
      ended = code === null ? `signal ${signal}` : `code ${code}`;
      if (!stopping) options.onUnexpectedExit?.(ended, output);
      resolve(code ?? 1);
    }),
  );

  return {
    child,
    async ready(timeoutMs = 90_000, { healthy = false } = {}) {
      const deadline = Date.now() + timeoutMs;
      // By name: a server answers only to its resource host (localhost:port), /health included.
      const url = `http://localhost:${options.port}/health`;
      let last = "no answer";
      while (Date.now() < deadline) {
        if (ended !== undefined) throw new Error(`wrangler dev in ${options.cwd} exited with ${ended}:\n${output}`);
        try {
          const res = await fetch(url);
          // An answer while wrangler is gone came from someone else's socket on this port.
          if (ended !== undefined) continue;
          if (!healthy || res.status === 200) return;
          last = `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 300));
      }
      throw new Error(`wrangler dev in ${options.cwd} was not ${healthy ? "healthy" : "answering"} on port ${options.port} within ${timeoutMs / 1000} s (${last}):\n${output}`);
    },
    async stop() {
      stopping = true;
      if (runConfig !== undefined) rmSync(runConfig, { force: true });
      if (ended !== undefined || child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        child.kill("SIGTERM");
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
