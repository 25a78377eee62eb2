import type { GatewayConfig } from "@edge-mcp/config";
import { consoleAuditSink } from "@edge-mcp/server";
import { backendTargets, type BackendTarget } from "./backend-target.ts";
import { Catalog } from "./catalog.ts";

/** Who lists backends whose lists are public: the gateway itself, with the read scopes listing needs and nothing more. */
const LISTER = Object.freeze({ subject: "edge-mcp-gateway", clientId: "edge-mcp-gateway", scopes: Object.freeze(["tools.read", "prompts.read", "resources.read"]) });

/** What the gateway works with for one env (per isolate in production): its limits, its backends, their lists. */
export interface GatewayInstance {
  /** gateway.json, with the limits the env overrides (`GATEWAY_BACKEND_TIMEOUT_MS`). */
  readonly config: GatewayConfig;
  readonly catalog: Catalog;
  /** The backends it can reach (a misconfigured one is marked in the catalog's health instead). */
  readonly targets: ReadonlyMap<string, BackendTarget>;
}

/**
 * The backend timeout from the env, when set: an operator (or a test fleet on a busy machine) may
 * give backends longer than gateway.json says without a rebuild. 100–60000 ms, as in gateway.json.
 */
function backendTimeoutMs(env: Readonly<Record<string, unknown>>, fallback: number): number {
  const raw = env.GATEWAY_BACKEND_TIMEOUT_MS;
  if (raw === undefined || raw === "") return fallback;
  const ms = Number(raw);
  if (typeof raw !== "string" || !/^\d+$/.test(raw) || ms < 100 || ms > 60_000) throw new TypeError("GATEWAY_BACKEND_TIMEOUT_MS must be a whole number of milliseconds, 100 to 60000.");
  return ms;
}

/**
 * The gateway for an env, made once per env object. `keepAlive` lets a slow backend's list fetch
 * finish after the request that started it answered (the request's `waitUntil`).
 */
export function gatewayInstances(bundled: GatewayConfig, keepAlive: (work: Promise<unknown>) => void): (env: Readonly<Record<string, unknown>>) => GatewayInstance {
  const instances = new WeakMap<object, GatewayInstance>();
  return (env) => {
    let instance = instances.get(env);
    if (instance !== undefined) return instance;
    const config: GatewayConfig = { ...bundled, limits: { ...bundled.limits, backendTimeoutMs: backendTimeoutMs(env, bundled.limits.backendTimeoutMs) } };
    const catalog = new Catalog({
      timeoutMs: config.limits.backendTimeoutMs,
      maxCacheMs: config.limits.maxListCacheMs,
      lister: LISTER,
      // A backend left out of listings (or back again) is an audit event, not only a /health field.
      onStatus: (backend, health) =>
        consoleAuditSink.write({ type: "backend_status", time: health.checkedAt ?? new Date().toISOString(), server: "gateway", backend, status: health.status === "unknown" ? "unreachable" : health.status, detail: health.detail ?? null }),
      keepAlive,
    });
    const targets = new Map<string, BackendTarget>();
    for (const [name, target] of backendTargets(config, env as Record<string, unknown>)) {
      if ("misconfigured" in target) catalog.markMisconfigured(name, target.misconfigured);
      else targets.set(name, target);
    }
    instance = { config, catalog, targets };
    instances.set(env, instance);
    return instance;
  };
}
