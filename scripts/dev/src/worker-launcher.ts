import { join } from "node:path";
import type { ChildReaper } from "./child-reaper.ts";
import { freePort } from "./ports.ts";
import { startWranglerDev, type ServiceBinding, type WranglerDev } from "./wrangler-dev.ts";

/** What every worker of one `npm run dev` run shares: its state, its registry, its reaper and its reporting. */
export interface WorkerLauncherOptions {
  /** `--persist-to` root: each worker keeps its state in `<stateDir>/<slug>`; default the worker's own `.wrangler/state`. */
  readonly stateDir?: string | undefined;
  /** The run's dev registry (service bindings between the run's workers). */
  readonly registryDir: string;
  readonly reaper?: ChildReaper | undefined;
  readonly onWorkerOutput?: ((slug: string, line: string) => void) | undefined;
  readonly onWorkerExit?: ((slug: string, how: string, lastOutput: string) => void) | undefined;
  /** Whether the fleet has started: only then is a worker's own exit reported (before, it fails the start). */
  readonly isRunning: () => boolean;
}

/** One worker to start: its directory, port, vars and the service bindings added for this run. */
export interface WorkerLaunch {
  readonly cwd: string;
  readonly port: number;
  readonly vars: Record<string, string>;
  readonly extraServices?: readonly ServiceBinding[];
}

export interface WorkerLauncher {
  /** Starts a worker under `wrangler dev` (not waiting for it): watched by the reaper, reported by slug. */
  start(slug: string, launch: WorkerLaunch): Promise<WranglerDev>;
  get(slug: string): WranglerDev | undefined;
  stop(worker: WranglerDev): Promise<void>;
  stopAll(): Promise<void>;
}

/** The run's workers, started alike and stopped together. */
export function createWorkerLauncher(options: WorkerLauncherOptions): WorkerLauncher {
  const workers = new Map<string, WranglerDev>();
  const stop = async (worker: WranglerDev) => {
    await worker.stop();
    if (worker.child.pid !== undefined) options.reaper?.forget(worker.child.pid);
  };
  return {
    async start(slug, launch) {
      const worker = startWranglerDev({
        ...launch,
        inspectorPort: await freePort(),
        ...(options.stateDir === undefined ? {} : { persistTo: join(options.stateDir, slug) }),
        registryDir: options.registryDir,
        onOutput: (line) => options.onWorkerOutput?.(slug, line),
        onUnexpectedExit: (how, output) => {
          if (options.isRunning()) options.onWorkerExit?.(slug, how, output);
        },
      });
      workers.set(slug, worker);
      if (worker.child.pid !== undefined) options.reaper?.watch(worker.child.pid);
      return worker;
    },
    get: (slug) => workers.get(slug),
    stop,
    stopAll: async () => {
      await Promise.all([...workers.values()].map(stop));
    },
  };
}
