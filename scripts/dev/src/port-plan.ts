import type { LoadedFleet } from "@edge-mcp/config/load";

/**
 * A mistake in what `npm run dev` was asked to start (an unknown slug, ports that collide): the
 * CLI answers it as a usage mistake (exit 2), before anything starts.
 */
export class DevUsageError extends Error {
  override readonly name = "DevUsageError";
}

export interface PortRequest {
  /** Start only these workers (slugs). */
  readonly only?: readonly string[];
  readonly issuer?: number;
  readonly facade?: number;
  /** Per-worker overrides, by slug. */
  readonly workers?: Readonly<Record<string, number>>;
  /** Whether the facade runs (`--auth facade`): only then is its port in use. */
  readonly facadeRuns: boolean;
  readonly console?: number;
  /** Whether the operator console runs: only then is its port in use. */
  readonly consoleRuns?: boolean;
}

export interface PortPlan {
  readonly issuer: number;
  readonly facade: number;
  readonly console: number;
  /** The selected workers, in the fleet's order, with the port each is served on. */
  readonly workers: ReadonlyArray<{ readonly slug: string; readonly port: number; readonly configured: number }>;
}

/**
 * Which ports this run uses, every override checked first: each slug named (`--only`, `--port`)
 * must be a worker of the fleet, and no two of the ports in use — the issuer's, the facade's
 * when it runs, each selected worker's — may be the same (one would advertise another's URL,
 * or fail to bind). Throws a `DevUsageError` naming the mistake and what is valid.
 */
export function planPorts(fleet: LoadedFleet, request: PortRequest): PortPlan {
  const slugs = fleet.servers.map((s) => s.manifest.slug);
  const known = `known: ${slugs.join(", ")}`;
  const unknownOnly = (request.only ?? []).filter((slug) => !slugs.includes(slug));
  if (unknownOnly.length > 0) throw new DevUsageError(`No worker named ${unknownOnly.join(", ")}; ${known}.`);
  const unknownPort = Object.keys(request.workers ?? {}).filter((slug) => !slugs.includes(slug));
  if (unknownPort.length > 0) throw new DevUsageError(`--port ${unknownPort.map((s) => `${s}=…`).join(", ")}: no such worker; ${known}.`);
  const notStarted = Object.keys(request.workers ?? {}).filter((slug) => request.only !== undefined && !request.only.includes(slug));
  if (notStarted.length > 0) throw new DevUsageError(`--port ${notStarted.join(", ")}: not started by this run (--only ${request.only!.join(",")}).`);

  const issuer = request.issuer ?? fleet.ecosystem.dev.issuerPort;
  const facade = request.facade ?? fleet.ecosystem.dev.facadePort;
  const consolePort = request.console ?? fleet.ecosystem.dev.consolePort;
  const workers = fleet.servers
    .filter((s) => request.only === undefined || request.only.includes(s.manifest.slug))
    .map((s) => ({ slug: s.manifest.slug, port: request.workers?.[s.manifest.slug] ?? s.manifest.dev.port, configured: s.manifest.dev.port }));
  const claims = [
    { port: issuer, what: "the local authorization server", flag: "--issuer-port" },
    ...(request.facadeRuns ? [{ port: facade, what: "the OAuth facade", flag: "--facade-port" }] : []),
    ...(request.consoleRuns === true ? [{ port: consolePort, what: "the operator console", flag: "--console-port" }] : []),
    ...workers.map((w) => ({ port: w.port, what: `worker ${w.slug}`, flag: `--port ${w.slug}=N` })),
  ];
  for (const [i, claim] of claims.entries()) {
    const first = claims.findIndex((c) => c.port === claim.port);
    if (first !== i) {
      const other = claims[first]!;
      throw new DevUsageError(`Port ${claim.port} is wanted by both ${other.what} and ${claim.what}: give one another port (${claim.flag}, or ${other.flag}).`);
    }
  }
  return { issuer, facade, console: consolePort, workers };
}
