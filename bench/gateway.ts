/**
 * Benchmark: the gateway's cost. On bare workerd, in one run with interleaved rounds:
 * - tools/call through the gateway (service binding RPC to the backend) vs straight to the
 *   backend — goal ≥ 0.7× the throughput;
 * - tools/list over a fleet of 5 backends with a warm cache vs one backend's own tools/list —
 *   goal p50 ≤ 1.5×.
 * And, for scale, the floor of any gateway: a forwarder that only hops (bench/workers/hop-forwarder.ts,
 * the same service binding, no checks) — what is left between it and the gateway is the gateway's
 * own work. Both with auth (real RS256 tokens, each for its own audience), MCP 2026-07-28. The gateway is
 * built from workers/gateway/src with a bench gateway.json (5 backends: workers/hello five
 * times) and no rate limit (the backend has none either): what is measured is the gateway itself.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { benchArgs } from "./lib/bench-args.ts";
import { freePort } from "@edge-mcp/dev";
import { startIssuer } from "./lib/jwks.ts";
import { printTopInclusiveTime, printTopSelfTime, profileDuring } from "./lib/cpu-profile.ts";
import { pairedCpuRatio, pairedRatio, probe, processCpuMicros, runInterleaved, runLoad, type PreparedRequest, type VariantSummary } from "./lib/load.ts";
import { modernRequest } from "./lib/modern-request.ts";
import { formatRange, printTable } from "./lib/stats.ts";
import { bundleWorker, LOAD_CPU, pinningNote, pinSelf, startWorkerd, type WorkerdService } from "./lib/workerd.ts";

const values = await benchArgs("bench/gateway.ts", "A tools/call through the gateway against the same call made directly, on bare workerd.", { rounds: { type: "string", default: "3" }, seconds: { type: "string", default: "4" }, connections: { type: "string", default: "16" }, profile: { type: "string" }, depth: { type: "string", default: "2" }, inclusive: { type: "boolean", default: false } });
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const BACKENDS = 5;
const root = (p: string) => new URL(`../${p}`, import.meta.url).pathname;

// The gateway, built from its own source with the bench's backends (inside the repo, for node_modules).
const build = root("bench/.gateway-build");
rmSync(build, { recursive: true, force: true });
mkdirSync(build, { recursive: true });
cpSync(root("workers/gateway/src"), `${build}/src`, { recursive: true });
const backends = Object.fromEntries(Array.from({ length: BACKENDS }, (_, i) => [`b${i + 1}`, { service: "hello-mcp", binding: `B${i + 1}` }]));
writeFileSync(`${build}/gateway.json`, JSON.stringify({ backends, rules: [{ when: { sub: "auth0|bench" }, allow: ["*.*"] }] }));
writeFileSync(`${build}/mcp.json`, JSON.stringify({ name: "Gateway", slug: "gateway", transport: "stateless", dev: { port: 8791 } }));
// Built with the gateway's own wrangler.toml (its flags, aliases, keep_names): the bundle is the
// one `wrangler deploy` makes; its bindings are replaced by the bench's workerd config below.
cpSync(root("workers/gateway/wrangler.toml"), `${build}/wrangler.toml`);
console.log("bundling with wrangler deploy --dry-run …");
const gatewayBundle = bundleWorker(`${build}/wrangler.toml`);
const helloBundle = bundleWorker(root("workers/hello/wrangler.toml"));
const hopBundle = bundleWorker(root("bench/workers/hop-forwarder.wrangler.toml"));
rmSync(build, { recursive: true, force: true });

const issuer = await startIssuer();
const port = { gateway: await freePort(), hello: await freePort(), hop: await freePort() };
const backendPorts = await Promise.all(Array.from({ length: BACKENDS }, () => freePort()));
const resource = (p: number) => `http://127.0.0.1:${p}/mcp`;
const vars = (p: number) => issuer.serverBindings(resource(p));
const services: WorkerdService[] = [
  { name: "hello", bundle: helloBundle, port: port.hello, bindings: vars(port.hello) },
  ...backendPorts.map((p, i) => ({ name: `hello${i + 1}`, bundle: helloBundle, port: p, bindings: vars(p) })),
  {
    name: "gateway",
    bundle: gatewayBundle,
    port: port.gateway,
    bindings: vars(port.gateway),
    services: backendPorts.map((_, i) => ({ binding: `B${i + 1}`, service: `hello${i + 1}`, entrypoint: "McpBackend" })),
  },
  { name: "hop", bundle: hopBundle, port: port.hop, bindings: {}, services: [{ binding: "B1", service: "hello1", entrypoint: "McpBackend" }] },
];
// --profile gateway-call | direct-call: CPU profiles (self time by function, `--depth` callers
// shown; with --inclusive, time per function callees included) of the workers that variant runs
// through, during its load, instead of the ratios.
if (values.profile !== undefined && values.profile !== "gateway-call" && values.profile !== "direct-call") throw new Error("--profile takes gateway-call or direct-call");
const inspectorPort = values.profile === undefined ? undefined : await freePort();
const workerd = await startWorkerd(services, inspectorPort === undefined ? {} : { inspectorPort });
const pinnedRun = pinSelf(LOAD_CPU);

type Variant = "direct-call" | "gateway-call" | "hop-call" | "direct-list" | "gateway-list";
const VARIANTS: Variant[] = ["direct-call", "gateway-call", "hop-call", "direct-list", "gateway-list"];
const prepared = new Map<Variant, PreparedRequest>();
for (const v of VARIANTS) {
  const url = resource(v.startsWith("gateway") ? port.gateway : v === "hop-call" ? port.hop : port.hello);
  const token = await issuer.token(url);
  const request = v.endsWith("call") ? modernRequest(url, token, "tools/call", v === "direct-call" ? "echo" : "b1__echo") : modernRequest(url, token, "tools/list");
  const accepts = (text: string) => (v.endsWith("call") ? text.includes('"text":"hello"') : v === "gateway-list" ? (text.match(/__echo/g) ?? []).length === BACKENDS : text.includes('"echo"'));
  await probe(v, request, accepts, () => `workerd's output:\n${workerd.stderr()}`);
  prepared.set(v, request);
}

if (inspectorPort !== undefined) {
  try {
    const variant = values.profile as "gateway-call" | "direct-call";
    const request = prepared.get(variant)!;
    const workers = variant === "gateway-call" ? ["gateway", "hello1"] : ["hello"];
    const profiles = await profileDuring(inspectorPort, workers, async () => void (await runLoad({ url: request.url, method: "POST", headers: request.headers, body: request.body, connections: CONNECTIONS, durationSeconds: SECONDS })));
    for (const [service, profile] of profiles) {
      if (values.inclusive) printTopInclusiveTime(`${service}: inclusive time by function during ${SECONDS} s of ${variant} (shares of its samples)`, profile);
      else printTopSelfTime(`${service}: self time by function during ${SECONDS} s of ${variant} (shares of its samples)`, profile, Number(values.depth));
    }
  } finally {
    workerd.stop();
    await issuer.close();
  }
  process.exit(0);
}

let s: Record<Variant, VariantSummary>;
try {
  s = await runInterleaved(VARIANTS, prepared, { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, cpuMicros: () => processCpuMicros(workerd.process.pid) });
} finally {
  workerd.stop();
  await issuer.close();
}
console.log(`\ngateway on bare workerd — ${ROUNDS} interleaved rounds × ${SECONDS} s, ${CONNECTIONS} connections, MCP 2026-07-28 with auth, medians`);
console.log(pinningNote(pinnedRun));
printTable(VARIANTS.map((v) => ({ variant: v, "req/s": Math.round(s[v].rps), "p50 ms": s[v].p50, "p99 ms": s[v].p99 })));
console.log("");
const paired = pairedRatio(s["gateway-call"], s["direct-call"]);
// The workers' CPU per request, direct / through the gateway: on one saturated core the same
// ratio as throughput, without the time this shared host took the core away.
const cpu = pairedCpuRatio(s["direct-call"], s["gateway-call"]);
printTable([
  { ratio: "tools/call throughput: through the gateway / straight to the backend (goal ≥ 0.7)", value: (s["gateway-call"].rps / s["direct-call"].rps).toFixed(2) },
  { ratio: "  the same, paired within each round: median (min–max)", value: formatRange(paired) },
  ...(cpu === undefined ? [] : [{ ratio: "  the same from CPU per request (direct / gateway), paired: median (min–max)", value: formatRange(cpu) }]),
  { ratio: "tools/call, for scale: a forwarder that only hops (no checks) / straight to the backend, paired", value: formatRange(pairedRatio(s["hop-call"], s["direct-call"])) },
  { ratio: "  through the gateway / through that forwarder, paired: what the gateway's own work leaves", value: formatRange(pairedRatio(s["gateway-call"], s["hop-call"])) },
  { ratio: `tools/list p50: gateway over ${BACKENDS} backends (warm cache) / one backend (goal ≤ 1.5)`, value: (s["gateway-list"].p50 / s["direct-list"].p50).toFixed(2) },
  { ratio: `tools/list throughput: gateway over ${BACKENDS} backends / one backend`, value: (s["gateway-list"].rps / s["direct-list"].rps).toFixed(2) },
]);
