/**
 * Benchmark: how a gateway should reach a fleet server's code — the three ways across a service
 * binding to a named entrypoint, in one run with interleaved rounds on bare workerd (one core):
 * - `fetch` on the entrypoint, the caller in a header (what the gateway does);
 * - the same with only the headers MCP needs instead of the client's (less its credentials);
 * - a JS RPC method taking the body and headers as plain data, the JSON answer back as a string;
 * - a JS RPC method taking the `Request` and returning the `Response`.
 * The same forwarder (bench/workers/hop-forwarder.ts, no checks) sends the same body each way to
 * the same backend (bench/workers/hop-backend.ts), which hands each to the same `McpBackend.fetch`:
 * only the transport differs. A direct call to the backend (with an RS256 token) is the scale.
 * MCP 2026-07-28 `tools/call`.
 */
import { benchArgs } from "./lib/bench-args.ts";
import { freePort } from "@edge-mcp/dev";
import { startIssuer } from "./lib/jwks.ts";
import { pairedCpuRatio, pairedRatio, probe, processCpuMicros, runInterleaved, type PreparedRequest } from "./lib/load.ts";
import { modernRequest } from "./lib/modern-request.ts";
import { formatRange, printTable } from "./lib/stats.ts";
import { bundleWorker, LOAD_CPU, pinningNote, pinSelf, startWorkerd, type WorkerdService } from "./lib/workerd.ts";

const values = await benchArgs("bench/hop-transports.ts", "How a gateway reaches a fleet server across a service binding: fetch with the caller in a header, with fewer headers, or RPC, on bare workerd.", { rounds: { type: "string", default: "3" }, seconds: { type: "string", default: "4" }, connections: { type: "string", default: "16" } });
const root = (p: string) => new URL(`../${p}`, import.meta.url).pathname;

console.log("bundling with wrangler deploy --dry-run …");
const backendBundle = bundleWorker(root("bench/workers/hop-backend.wrangler.toml"));
const forwarderBundle = bundleWorker(root("bench/workers/hop-forwarder.wrangler.toml"));

const issuer = await startIssuer();
const TRANSPORTS = { "fetch (the gateway's)": "fetch", "fetch, only MCP's headers": "fetch-mcp-headers", "RPC, plain data": "rpc-data", "RPC, the Request": "rpc-request" } as const;
type Transport = keyof typeof TRANSPORTS;
const WAYS = Object.keys(TRANSPORTS) as Transport[];
const DIRECT = "direct";
type Variant = typeof DIRECT | Transport;
const VARIANTS: Variant[] = [DIRECT, ...WAYS];

const ports = new Map<Variant, number>();
for (const v of VARIANTS) ports.set(v, await freePort());
const backendPort = await freePort();
const resource = (p: number) => `http://127.0.0.1:${p}/mcp`;
const vars = (p: number) => issuer.serverBindings(resource(p));
const services: WorkerdService[] = [
  { name: "direct", bundle: backendBundle, port: ports.get(DIRECT)!, bindings: vars(ports.get(DIRECT)!) },
  // The forwarders' backend: its own instance, so the direct variant's isolate is not shared.
  { name: "backend", bundle: backendBundle, port: backendPort, bindings: vars(backendPort) },
  ...WAYS.map((way, i) => ({
    name: `hop${i}`,
    bundle: forwarderBundle,
    port: ports.get(way)!,
    bindings: { HOP_TRANSPORT: TRANSPORTS[way] },
    services: [{ binding: "B1", service: "backend", entrypoint: "McpBackendTransports" }],
  })),
];
const workerd = await startWorkerd(services);
const pinnedRun = pinSelf(LOAD_CPU);

const prepared = new Map<Variant, PreparedRequest>();
for (const v of VARIANTS) {
  const url = resource(ports.get(v)!);
  const request = modernRequest(url, await issuer.token(url), "tools/call", v === DIRECT ? "echo" : "b1__echo");
  await probe(v, request, (text) => text.includes('"text":"hello"'), () => `workerd's output:\n${workerd.stderr()}`);
  prepared.set(v, request);
}

let s;
try {
  s = await runInterleaved(VARIANTS, prepared, { rounds: Number(values.rounds), seconds: Number(values.seconds), connections: Number(values.connections), cpuMicros: () => processCpuMicros(workerd.process.pid) });
} finally {
  workerd.stop();
  await issuer.close();
}
console.log(`\nacross a service binding on bare workerd — ${values.rounds} interleaved rounds × ${values.seconds} s, ${values.connections} connections, MCP 2026-07-28 tools/call, medians`);
console.log(pinningNote(pinnedRun));
printTable(VARIANTS.map((v) => ({ variant: v === DIRECT ? "straight to the backend (with a token)" : `through a forwarder: ${v}`, "req/s": Math.round(s[v].rps), "p50 ms": s[v].p50, "p99 ms": s[v].p99 })));
console.log("");
const FETCH: Transport = "fetch (the gateway's)";
const rows = [];
for (const t of WAYS) rows.push({ ratio: `throughput: ${t} / straight to the backend, paired: median (min–max)`, value: formatRange(pairedRatio(s[t], s[DIRECT])) });
for (const t of WAYS) {
  if (t === FETCH) continue;
  rows.push({ ratio: `throughput: ${t} / fetch, paired: median (min–max)`, value: formatRange(pairedRatio(s[t], s[FETCH])) });
  const cpu = pairedCpuRatio(s[FETCH], s[t]);
  if (cpu !== undefined) rows.push({ ratio: `  the same from CPU per request (fetch / ${t}), paired`, value: formatRange(cpu) });
}
printTable(rows);
