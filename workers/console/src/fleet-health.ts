import type { ConsoleConfig } from "./console-config.ts";

/** How long a server or the authorization server may take to answer a health check, in milliseconds. */
export const HEALTH_TIMEOUT_MS = 3_000;

/** The service binding the console reaches a server by: `SERVER_<SLUG>` to its `McpBackend` entrypoint. */
export function serverBinding(slug: string): string {
  return `SERVER_${slug.toUpperCase().replace(/-/g, "_")}`;
}

interface HealthRpc {
  health(): Promise<Record<string, unknown>>;
}

export interface ServerHealth {
  readonly slug: string;
  /** ok / unavailable (its own report), unreachable (no answer in time), unbound (no binding: a deploy mistake). */
  readonly status: "ok" | "unavailable" | "unreachable" | "unbound";
  readonly name?: string;
  readonly version?: string;
  readonly transport?: string;
  readonly authorizationServerReachable?: boolean;
  /** A gateway's backends (status, tools, latency) and rules version: the operator's detail. */
  readonly backends?: Record<string, unknown>;
  readonly rules?: Record<string, unknown>;
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), HEALTH_TIMEOUT_MS))]);
}

async function serverHealth(slug: string, env: Record<string, unknown>): Promise<ServerHealth> {
  const binding = env[serverBinding(slug)] as Partial<HealthRpc> | undefined;
  if (binding === undefined || binding === null) return { slug, status: "unbound" };
  try {
    const report = await withTimeout((binding as HealthRpc).health());
    const auth = report.auth as { authorizationServerReachable?: boolean } | undefined;
    return {
      slug,
      status: report.status === "ok" ? "ok" : "unavailable",
      ...(typeof report.name === "string" ? { name: report.name } : {}),
      ...(typeof report.version === "string" ? { version: report.version } : {}),
      ...(typeof report.transport === "string" ? { transport: report.transport } : {}),
      ...(typeof auth?.authorizationServerReachable === "boolean" ? { authorizationServerReachable: auth.authorizationServerReachable } : {}),
      ...(typeof report.backends === "object" && report.backends !== null ? { backends: report.backends as Record<string, unknown> } : {}),
      ...(typeof report.rules === "object" && report.rules !== null ? { rules: report.rules as Record<string, unknown> } : {}),
    };
  } catch {
    return { slug, status: "unreachable" };
  }
}

/** Whether the authorization server serves its signing keys right now (what every server depends on). */
async function authorizationServer(config: ConsoleConfig): Promise<{ issuer: string; reachable: boolean; latencyMs: number | null }> {
  const started = Date.now();
  try {
    const res = await fetch(config.CONSOLE_JWKS_URI ?? `${config.CONSOLE_ISSUER}.well-known/jwks.json`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    const keys = res.ok ? ((await res.json()) as { keys?: unknown[] }).keys : undefined;
    return { issuer: config.CONSOLE_ISSUER, reachable: Array.isArray(keys) && keys.length > 0, latencyMs: Date.now() - started };
  } catch {
    return { issuer: config.CONSOLE_ISSUER, reachable: false, latencyMs: null };
  }
}

/** Every server's health (through its binding, at once) and the authorization server's. */
export async function fleetHealth(config: ConsoleConfig, env: object) {
  const [auth, servers] = await Promise.all([authorizationServer(config), Promise.all(config.FLEET_SERVERS.map((slug) => serverHealth(slug, env as Record<string, unknown>)))]);
  return { authorizationServer: auth, servers };
}
