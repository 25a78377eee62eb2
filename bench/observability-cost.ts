/**
 * Benchmark (issue 26 §6): what tracing and per-tool metrics cost a trivial `tools/call`.
 *
 * The same `echo` server (bench/workers/mcp-echo.ts, stateless, RS256 auth, audit lines on in
 * every variant) with tracing and metrics on — Workers' tracer around authentication, dispatch and the tool;
 * one metric point per call (caller digest, columns) to a dataset that drops it, as local
 * workerd's Analytics Engine does — and with both off (a tracer that records nothing, `metrics:
 * false`) — and each alone, to tell their costs apart. MCP 2026-07-28, bare workerd, interleaved rounds, ratios paired per round. Local workerd
 * records no spans and writes no points: what production adds on top (span export, the native
 * data-point buffer) is not in these numbers.
 */
import { benchArgs } from "./lib/bench-args.ts";
import { freePort } from "@edge-mcp/dev";
import { startIssuer } from "./lib/jwks.ts";
import { pairedCpuDifference, pairedCpuRatio, pairedRatio, probe, processCpuMicros, runInterleaved, type PreparedRequest } from "./lib/load.ts";
import { modernRequest } from "./lib/modern-request.ts";
import { formatRange, median, printTable } from "./lib/stats.ts";
import { bundleWorker, LOAD_CPU, pinningNote, pinSelf, startWorkerd } from "./lib/workerd.ts";

const values = await benchArgs("bench/observability-cost.ts", "What tracing and per-tool metrics cost a tools/call on bare workerd (on vs off).", { rounds: { type: "string", default: "5" }, seconds: { type: "string", default: "4" }, connections: { type: "string", default: "16" } });
const options = { rounds: Number(values.rounds), seconds: Number(values.seconds), connections: Number(values.connections) };

console.log("bundling bench/workers/mcp-echo.ts with wrangler deploy --dry-run …");
const echo = bundleWorker(new URL("./workers/mcp-echo.wrangler.toml", import.meta.url).pathname);
const issuer = await startIssuer();
const pinnedRun = pinSelf(LOAD_CPU);

const ON = "tracing + metrics on";
const TRACING = "tracing only";
const METRICS = "metrics only";
const OFF = "tracing + metrics off";
const VARIANTS = [ON, TRACING, METRICS, OFF] as const;
type Variant = (typeof VARIANTS)[number];
const SETTING: Record<Variant, string> = { [ON]: "on", [TRACING]: "tracing", [METRICS]: "metrics", [OFF]: "off" };

const port = Object.fromEntries(await Promise.all(VARIANTS.map(async (v) => [v, await freePort()] as const))) as Record<Variant, number>;
const resource = (v: Variant) => `http://127.0.0.1:${port[v]}/mcp`;
const workerd = await startWorkerd(VARIANTS.map((v, i) => ({ name: `echo${i}`, bundle: echo, port: port[v], bindings: { BENCH_TRANSPORT: "stateless", BENCH_OBSERVE: SETTING[v], ...issuer.serverBindings(resource(v)) } })));
let summary;
try {
  const prepared = new Map<Variant, PreparedRequest>();
  for (const v of VARIANTS) {
    const request = modernRequest(resource(v), await issuer.token(resource(v)), "tools/call", "echo");
    await probe(v, request, (text) => text.includes('"text":"hello"'), workerd.stderr);
    prepared.set(v, request);
  }
  summary = await runInterleaved(VARIANTS, prepared, { ...options, cpuMicros: () => processCpuMicros(workerd.process.pid) });
} finally {
  workerd.stop();
  await issuer.close();
}

console.log(`\necho tools/call on bare workerd — ${values.rounds} interleaved rounds × ${values.seconds} s, ${values.connections} connections, MCP 2026-07-28 with auth and audit lines, medians`);
console.log(pinningNote(pinnedRun));
printTable(VARIANTS.map((v) => ({ variant: v, "req/s": Math.round(summary[v].rps), "p50 ms": summary[v].p50, "p99 ms": summary[v].p99, "µs CPU / request": summary[v].cpuByRound === undefined ? "–" : Math.round(median(summary[v].cpuByRound)) })));
console.log("");
const rows: Array<{ ratio: string; value: string }> = [{ ratio: "throughput, on / off, paired within each round: median (min–max) — goal ≥ 0.9", value: formatRange(pairedRatio(summary[ON], summary[OFF])) }];
const cpu = pairedCpuRatio(summary[OFF], summary[ON]);
if (cpu !== undefined) rows.push({ ratio: "the same from CPU per request (off / on), paired", value: formatRange(cpu) });
for (const [label, v] of [["tracing + metrics", ON], ["  tracing alone", TRACING], ["  metrics alone", METRICS]] as const) {
  const cost = pairedCpuDifference(summary[v], summary[OFF]);
  if (cost !== undefined) rows.push({ ratio: `${label}: CPU per request (− off), paired`, value: `${Math.round(cost.median)} µs (${Math.round(cost.min)}–${Math.round(cost.max)})` });
}
printTable(rows);
