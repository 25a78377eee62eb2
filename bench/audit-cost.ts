/**
 * Benchmark: what the audit log (on by default: one JSON line per MCP request and one per tool
 * call, `console.log` to Workers Logs) costs a request, and how much a CPU profile overstates it.
 *
 * The same `echo` server (bench/workers/mcp-echo.ts, stateless, RS256 auth with a cached token)
 * with the audit log on, off (`audit: false`), and built and serialised but never written (a sink
 * doing all the console sink does short of `console.log`), MCP 2026-07-28 `tools/call`, on bare
 * workerd, in interleaved rounds — twice: plainly, then once more with every isolate under the V8
 * sampling profiler (`--profile` in the other benches), which is attached through workerd's inspector.
 * The inspector is sent every `console.log` (`Runtime.consoleAPICalled`), so a profile's share
 * for the audit line is not what the line costs without it; this run measures both.
 */
import { benchArgs } from "./lib/bench-args.ts";
import { freePort } from "@edge-mcp/dev";
import { profileDuring } from "./lib/cpu-profile.ts";
import { startIssuer } from "./lib/jwks.ts";
import { pairedCpuDifference, pairedCpuRatio, pairedRatio, probe, processCpuMicros, runInterleaved, type PreparedRequest, type VariantSummary } from "./lib/load.ts";
import { modernRequest } from "./lib/modern-request.ts";
import { formatRange, median, printTable } from "./lib/stats.ts";
import { bundleWorker, LOAD_CPU, pinningNote, pinSelf, startWorkerd } from "./lib/workerd.ts";

const values = await benchArgs("bench/audit-cost.ts", "What the audit log costs a tools/call on bare workerd (on, off, built but unwritten).", { rounds: { type: "string", default: "3" }, seconds: { type: "string", default: "4" }, connections: { type: "string", default: "16" } });
const options = { rounds: Number(values.rounds), seconds: Number(values.seconds), connections: Number(values.connections) };

console.log("bundling bench/workers/mcp-echo.ts with wrangler deploy --dry-run …");
const echo = bundleWorker(new URL("./workers/mcp-echo.wrangler.toml", import.meta.url).pathname);
const issuer = await startIssuer();
const pinnedRun = pinSelf(LOAD_CPU);

type Variant = "audit on (default)" | "audit lines not written" | "audit off";
const ON: Variant = "audit on (default)";
const UNWRITTEN: Variant = "audit lines not written";
const OFF: Variant = "audit off";
const VARIANTS = [ON, UNWRITTEN, OFF] as const;
const SETTING: Record<Variant, string | undefined> = { [ON]: undefined, [UNWRITTEN]: "unwritten", [OFF]: "off" };
/** Each variant's workerd service (and inspector target) name. */
const serviceOf = (v: Variant) => `echo${VARIANTS.indexOf(v)}`;

/** One workerd with the three servers; `profiled`: every isolate under the sampling profiler while the rounds run. */
async function measure(profiled: boolean): Promise<Record<Variant, VariantSummary>> {
  const port = Object.fromEntries(await Promise.all(VARIANTS.map(async (v) => [v, await freePort()] as const))) as Record<Variant, number>;
  const resource = (v: Variant) => `http://127.0.0.1:${port[v]}/mcp`;
  const inspectorPort = profiled ? await freePort() : undefined;
  const workerd = await startWorkerd(
    VARIANTS.map((v) => ({
      name: serviceOf(v),
      bundle: echo,
      port: port[v],
      bindings: { BENCH_TRANSPORT: "stateless", ...(SETTING[v] === undefined ? {} : { BENCH_AUDIT: SETTING[v] }), ...issuer.serverBindings(resource(v)) },
    })),
    inspectorPort === undefined ? {} : { inspectorPort },
  );
  try {
    const prepared = new Map<Variant, PreparedRequest>();
    for (const v of VARIANTS) {
      const request = modernRequest(resource(v), await issuer.token(resource(v)), "tools/call", "echo");
      await probe(v, request, (text) => text.includes('"text":"hello"'), workerd.stderr);
      prepared.set(v, request);
    }
    // The variant that builds the lines without writing them must have built them.
    const serialised = Number(await (await fetch(`http://127.0.0.1:${port[UNWRITTEN]}/serialised-chars`)).text());
    if (!(serialised > 0)) throw new Error(`${UNWRITTEN}: the server serialised no audit line (${serialised} characters)`);
    const run = () => runInterleaved(VARIANTS, prepared, { ...options, cpuMicros: () => processCpuMicros(workerd.process.pid) });
    if (inspectorPort === undefined) return await run();
    let summary: Record<Variant, VariantSummary> | undefined;
    await profileDuring(inspectorPort, VARIANTS.map(serviceOf), async () => void (summary = await run()));
    return summary!;
  } finally {
    workerd.stop();
  }
}

let plain, profiled;
try {
  console.log("plain workerd:");
  plain = await measure(false);
  console.log("under the V8 sampling profiler (inspector attached):");
  profiled = await measure(true);
} finally {
  await issuer.close();
}

const µs = (r: { median: number; min: number; max: number }) => `${Math.round(r.median)} µs (${Math.round(r.min)}–${Math.round(r.max)})`;

console.log(`\necho tools/call on bare workerd — ${values.rounds} interleaved rounds × ${values.seconds} s, ${values.connections} connections, MCP 2026-07-28 with auth, medians`);
console.log(pinningNote(pinnedRun));
printTable(
  (["plain", "profiled"] as const).flatMap((run) =>
    VARIANTS.map((v) => {
      const s = (run === "plain" ? plain : profiled)[v];
      return { run, variant: v, "req/s": Math.round(s.rps), "p50 ms": s.p50, "p99 ms": s.p99, "µs CPU / request": s.cpuByRound === undefined ? "–" : Math.round(median(s.cpuByRound)) };
    }),
  ),
);
console.log("");
const rows: Array<{ ratio: string; value: string }> = [];
for (const [run, s] of [["plain", plain], ["profiled", profiled]] as const) {
  rows.push({ ratio: `${run}: throughput, audit on / off, paired within each round: median (min–max)`, value: formatRange(pairedRatio(s[ON], s[OFF])) });
  const cpu = pairedCpuRatio(s[OFF], s[ON]);
  if (cpu !== undefined) rows.push({ ratio: `${run}: the same from CPU per request (off / on), paired`, value: formatRange(cpu) });
  for (const [label, a, b] of [
    ["the audit lines' CPU per request (on − off)", ON, OFF],
    ["  of which building and serialising them (not written − off)", UNWRITTEN, OFF],
    ["  of which console.log (on − not written)", ON, UNWRITTEN],
  ] as const) {
    const cost = pairedCpuDifference(s[a], s[b]);
    if (cost !== undefined) rows.push({ ratio: `${run}: ${label}, paired`, value: µs(cost) });
  }
}
printTable(rows);
