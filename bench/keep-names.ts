/**
 * Benchmark: what esbuild's `keep_names` (wrangler's default, on) costs a request. Every edge-mcp
 * worker's wrangler.toml sets `keep_names = false`; this builds workers/hello from its own
 * wrangler.toml and once more with `keep_names = true`, runs both on bare workerd (one core),
 * and measures MCP 2026-07-28 `tools/call` with a real RS256 token in interleaved rounds.
 *
 * Why it matters: with `keep_names`, esbuild wraps every named function and class in a
 * `__name(fn, "name")` call (an `Object.defineProperty`) — including closures and class fields
 * created per request (hono's `Context` has a dozen arrow-function fields).
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { benchArgs } from "./lib/bench-args.ts";
import { freePort } from "@edge-mcp/dev";
import { startIssuer } from "./lib/jwks.ts";
import { pairedCpuRatio, pairedRatio, probe, processCpuMicros, runInterleaved, type PreparedRequest } from "./lib/load.ts";
import { modernRequest } from "./lib/modern-request.ts";
import { formatRange, printTable } from "./lib/stats.ts";
import { bundleWorker, LOAD_CPU, pinningNote, pinSelf, startWorkerd } from "./lib/workerd.ts";

const values = await benchArgs("bench/keep-names.ts", "What wrangler's keep_names costs workers/hello's tools/call on bare workerd.", { rounds: { type: "string", default: "3" }, seconds: { type: "string", default: "4" }, connections: { type: "string", default: "16" } });
const root = (p: string) => new URL(`../${p}`, import.meta.url).pathname;

const shippedToml = root("workers/hello/wrangler.toml");
const shipped = readFileSync(shippedToml, "utf8");
if (!/^keep_names = false$/m.test(shipped)) throw new Error("workers/hello/wrangler.toml no longer sets keep_names = false: this bench compares against that");
// Beside the shipped file, so `main` and node_modules resolve the same way.
const keptToml = root("workers/hello/.wrangler.keep-names.toml");
writeFileSync(keptToml, shipped.replace(/^keep_names = false$/m, "keep_names = true"));
console.log("bundling workers/hello twice with wrangler deploy --dry-run …");
let kept;
try {
  kept = bundleWorker(keptToml);
} finally {
  rmSync(keptToml, { force: true });
}
const without = bundleWorker(shippedToml);

const issuer = await startIssuer();
const port = { without: await freePort(), kept: await freePort() };
const resource = (p: number) => `http://127.0.0.1:${p}/mcp`;
const vars = (p: number) => issuer.serverBindings(resource(p));
const workerd = await startWorkerd([
  { name: "without", bundle: without, port: port.without, bindings: vars(port.without) },
  { name: "kept", bundle: kept, port: port.kept, bindings: vars(port.kept) },
]);
const pinnedRun = pinSelf(LOAD_CPU);

type Variant = "keep_names = false (shipped)" | "keep_names = true (wrangler default)";
const FALSE: Variant = "keep_names = false (shipped)";
const TRUE: Variant = "keep_names = true (wrangler default)";
const prepared = new Map<Variant, PreparedRequest>();
for (const [variant, p] of [[FALSE, port.without], [TRUE, port.kept]] as const) {
  const request = modernRequest(resource(p), await issuer.token(resource(p)), "tools/call", "echo");
  await probe(variant, request, (text) => text.includes('"text":"hello"'));
  prepared.set(variant, request);
}

let s;
try {
  s = await runInterleaved([FALSE, TRUE], prepared, { rounds: Number(values.rounds), seconds: Number(values.seconds), connections: Number(values.connections), cpuMicros: () => processCpuMicros(workerd.process.pid) });
} finally {
  workerd.stop();
  await issuer.close();
}
console.log(`\nworkers/hello tools/call on bare workerd — ${values.rounds} interleaved rounds × ${values.seconds} s, ${values.connections} connections, MCP 2026-07-28 with auth, medians`);
console.log(pinningNote(pinnedRun));
printTable([FALSE, TRUE].map((v) => ({ build: v, "req/s": Math.round(s[v].rps), "p50 ms": s[v].p50, "p99 ms": s[v].p99, "gzip KiB": ((v === FALSE ? without : kept).gzipBytes / 1024).toFixed(1) })));
console.log("");
const cpu = pairedCpuRatio(s[TRUE], s[FALSE]);
printTable([
  { ratio: "throughput: keep_names = false / keep_names = true, paired within each round: median (min–max)", value: formatRange(pairedRatio(s[FALSE], s[TRUE])) },
  ...(cpu === undefined ? [] : [{ ratio: "the same from CPU per request (true / false), paired: median (min–max)", value: formatRange(cpu) }]),
]);
