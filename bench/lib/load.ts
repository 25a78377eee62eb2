import { readFileSync } from "node:fs";
import { median } from "./stats.ts";
import autocannon from "autocannon";

export interface LoadResult {
  requestsPerSecond: number;
  /** Requests answered in the run. */
  requests: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export interface LoadOptions {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** Per-request headers (e.g. round-robin session ids). */
  headersFor?: (n: number) => Record<string, string>;
  connections?: number;
  durationSeconds?: number;
}

/** One autocannon run against loopback; bounded by duration. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let counter = 0;
  const result = await autocannon({
    url: options.url,
    method: options.method ?? "GET",
    headers: options.headers,
    body: options.body,
    connections: options.connections ?? 32,
    duration: options.durationSeconds ?? 4,
    ...(options.headersFor === undefined
      ? {}
      : {
          requests: [
            {
              setupRequest: (request: autocannon.Request) => ({
                ...request,
                headers: { ...request.headers, ...options.headersFor!(counter++) },
              }),
            },
          ],
        }),
  });
  return {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

export interface PreparedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends `request` once and checks its answer (200, and `accepts` the body) before it is measured:
 * a bench must never time errors. The error names the variant and shows what came back, with
 * `diagnostics()` (e.g. workerd's output) when given.
 */
export async function probe(variant: string, request: PreparedRequest, accepts: (text: string) => boolean, diagnostics?: () => string): Promise<void> {
  const more = diagnostics === undefined ? "" : `\n${diagnostics()}`;
  const response = await fetch(request.url, { method: "POST", headers: request.headers, body: request.body }).catch((error: unknown) => {
    throw new Error(`${variant}: probe failed (${String(error)}${error instanceof Error && error.cause !== undefined ? `: ${String(error.cause)}` : ""})${more}`);
  });
  const text = await response.text();
  if (response.status !== 200 || !accepts(text)) throw new Error(`${variant}: probe failed (${response.status}): ${text.slice(0, 300)}${more}`);
}

export interface VariantSummary {
  /** Medians over the rounds. */
  rps: number;
  p50: number;
  p99: number;
  /** Requests per second in each round, in round order (for ratios paired within a round). */
  rpsByRound: number[];
  /** The servers' CPU time per request in each round, in microseconds (when `cpuMicros` was given). */
  cpuByRound?: number[];
}

/**
 * The ratio a/b taken within each round (the two measured seconds apart, so a slow spell
 * of this shared machine hits both), summarised as median and range over the rounds.
 */
export function pairedRatio(a: VariantSummary, b: VariantSummary): { median: number; min: number; max: number } {
  return ratiosByRound(a.rpsByRound, b.rpsByRound);
}

/** Per-round values as median and range. */
function summarise(values: readonly number[]): { median: number; min: number; max: number } {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** a/b per round, as median and range. */
function ratiosByRound(a: readonly number[], b: readonly number[]): { median: number; min: number; max: number } {
  return summarise(a.map((value, round) => value / b[round]!));
}

/**
 * The same POST per variant, in interleaved rounds (each round starts one variant later, so no
 * variant always runs first or last on a noisy machine); any non-2xx or error stops the run.
 * Returns each variant's medians.
 */
export async function runInterleaved<V extends string>(
  variants: readonly V[],
  prepared: ReadonlyMap<V, PreparedRequest>,
  options: { rounds: number; seconds: number; connections: number; cpuMicros?: () => number | undefined },
): Promise<Record<V, VariantSummary>> {
  const results = new Map<V, Array<LoadResult & { cpuPerRequest?: number }>>(variants.map((v) => [v, []]));
  for (let round = 0; round < options.rounds; round++) {
    for (const v of variants.map((_, i) => variants[(i + round) % variants.length]!)) {
      const r = prepared.get(v)!;
      const result = await withCpuPerRequest(options.cpuMicros, () => runLoad({ url: r.url, method: "POST", headers: r.headers, body: r.body, connections: options.connections, durationSeconds: options.seconds }));
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${v}: ${result.non2xx} non-2xx and ${result.errors} errors`);
      const { cpuPerRequest } = result;
      results.get(v)!.push(result);
      process.stdout.write(`  round ${round + 1} ${v}: ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50Ms} ms${cpuPerRequest === undefined ? "" : `, ${Math.round(cpuPerRequest)} µs CPU per request`}\n`);
    }
  }
  return Object.fromEntries(variants.map((v) => {
    const runs = results.get(v)!;
    const cpu = runs.map((r) => r.cpuPerRequest);
    return [v, {
      rps: median(runs.map((r) => r.requestsPerSecond)),
      p50: median(runs.map((r) => r.p50Ms)),
      p99: median(runs.map((r) => r.p99Ms)),
      rpsByRound: runs.map((r) => r.requestsPerSecond),
      ...(cpu.every((c) => c !== undefined) ? { cpuByRound: cpu as number[] } : {}),
    }];
  })) as Record<V, VariantSummary>;
}

/**
 * CPU time (user + system, all threads) a process has used so far, in microseconds, from Linux's
 * /proc (clock ticks of 10 ms: USER_HZ is 100 on Linux); undefined elsewhere. A server's CPU per
 * request is what its throughput on one saturated core is the inverse of, without the time a
 * noisy host took the core away (that is the guest's steal time, counted apart).
 */
export function processCpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command name (which may hold spaces) start at the last ")": utime is the 14th field, stime the 15th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

/**
 * Runs `load` and adds the server's CPU time per request over it (microseconds; `cpuMicros` reads
 * the server process's CPU so far), when that can be measured.
 */
export async function withCpuPerRequest(cpuMicros: (() => number | undefined) | undefined, load: () => Promise<LoadResult>): Promise<LoadResult & { cpuPerRequest?: number }> {
  const before = cpuMicros?.();
  const result = await load();
  const after = before === undefined ? undefined : cpuMicros?.();
  const cpuPerRequest = before === undefined || after === undefined || result.requests === 0 ? undefined : (after - before) / result.requests;
  return { ...result, ...(cpuPerRequest === undefined ? {} : { cpuPerRequest }) };
}

/** The ratio a/b of CPU per request within each round (median and range), when measured. */
export function pairedCpuRatio(a: VariantSummary, b: VariantSummary): { median: number; min: number; max: number } | undefined {
  return a.cpuByRound === undefined || b.cpuByRound === undefined ? undefined : ratiosByRound(a.cpuByRound, b.cpuByRound);
}

/** CPU per request of a minus b within each round, in microseconds (median and range), when measured. */
export function pairedCpuDifference(a: VariantSummary, b: VariantSummary): { median: number; min: number; max: number } | undefined {
  const [x, y] = [a.cpuByRound, b.cpuByRound];
  return x === undefined || y === undefined ? undefined : summarise(x.map((value, round) => value - y[round]!));
}
