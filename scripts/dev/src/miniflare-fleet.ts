import { readFileSync } from "node:fs";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { bundleWorker } from "./bundle.ts";

export interface FleetWorker {
  /** The name other workers' service bindings use. */
  readonly name: string;
  /** The worker's wrangler.toml: its bundle, Durable Objects, KV namespaces and flags come from it. */
  readonly config: string;
  /** Served on 127.0.0.1 at this port, straight from workerd (no entry proxy, no wrangler dev). */
  readonly port: number;
  /** Vars on top of (and overriding) the config's `[vars]`. */
  readonly bindings: Readonly<Record<string, string>>;
  /** Service bindings to other workers of the same fleet: binding → worker name. */
  readonly services?: Readonly<Record<string, string>>;
}

export interface MiniflareFleetOptions {
  /**
   * Sees every outbound `fetch` of every worker first (Miniflare `outboundService`): what a test
   * publishes on the internet, e.g. Client ID Metadata Documents on an https host. Returning
   * undefined sends the request where it is addressed.
   */
  readonly outbound?: (request: Request) => Promise<Response | undefined> | Response | undefined;
  /** Print the workers' console output (audit lines); default off, so a load generator in this process is not slowed. */
  readonly logs?: boolean;
}

export interface MiniflareFleet {
  dispose(): Promise<void>;
}

/**
 * Sends a worker's request on, from Node: rebuilt from its parts, since Miniflare's `Request`
 * comes from another realm than Node's `fetch`; redirects go back to the worker unfollowed.
 */
async function passThrough(request: Request): Promise<Response> {
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
  return fetch(request.url, { method: request.method, headers: [...request.headers], body, redirect: "manual" });
}

/**
 * (Its own export, `@edge-mcp/dev/miniflare-fleet`: it loads Miniflare and wrangler, which the
 * provisioner's CLI, importing `@edge-mcp/dev`, must not pay for at start-up.)
 *
 * Workers of this repo in one Miniflare (workerd) instance, each bundled as it would be uploaded
 * (`wrangler deploy --dry-run`) and bound to each other by name — for tests and benchmarks that
 * need what `wrangler dev` cannot give: an outbound hook, or no proxy in front.
 */
export async function startMiniflareFleet(workers: readonly FleetWorker[], options: MiniflareFleetOptions = {}): Promise<MiniflareFleet> {
  const described = workers.map((worker) => {
    const fromConfig = unstable_getMiniflareWorkerOptions(worker.config).workerOptions as {
      compatibilityDate?: string;
      compatibilityFlags?: string[];
      bindings?: Record<string, unknown>;
      durableObjects?: Record<string, unknown>;
      kvNamespaces?: Record<string, unknown>;
    };
    return {
      name: worker.name,
      modules: true,
      script: readFileSync(bundleWorker(worker.config).main, "utf8"),
      compatibilityDate: fromConfig.compatibilityDate,
      compatibilityFlags: fromConfig.compatibilityFlags ?? [],
      bindings: { ...fromConfig.bindings, ...worker.bindings },
      durableObjects: fromConfig.durableObjects ?? {},
      kvNamespaces: Object.keys(fromConfig.kvNamespaces ?? {}),
      serviceBindings: { ...worker.services },
      unsafeDirectSockets: [{ host: "127.0.0.1", port: worker.port }],
      ...(options.outbound === undefined ? {} : { outboundService: async (request: Request) => (await options.outbound!(request)) ?? passThrough(request) }),
    };
  });
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      ...(options.logs === true ? {} : { handleStructuredLogs: () => {} }),
      workers: described,
    } as Parameters<typeof convertV4MiniflareOptions>[0]),
  );
  await mf.ready;
  return { dispose: () => mf.dispose() };
}
