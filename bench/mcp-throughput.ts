/**
 * Benchmark: MCP `tools/call` throughput of edge-mcp on bare workerd against the common Node
 * build (Express + MCP SDK + jose, bench/baselines/express-mcp), in one run:
 *   hello-world Worker (the floor) · MCP 2026-07-28 (modern, stateless) auth off/on, and with a server
 *   built per request (reuse: false) · 2025 stateless
 *   auth off/on · 2025 stateful (sessions) auth off/on · Express,
 * the same `echo` tool and the same RS256 token and JWKS everywhere, measured in interleaved
 * rounds (medians), plus the gzip size of every worker bundle (`wrangler deploy --dry-run`)
 * against the same tool on Cloudflare agents' McpAgent (bench/baselines/agents-mcp, installed
 * into that folder on first run).
 *
 *   node bench/mcp-throughput.ts [--rounds 3] [--seconds 4] [--connections 32]
 *   node bench/mcp-throughput.ts --profile modern-auth [--depth 2]   (a CPU profile of one variant instead)
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { benchArgs } from "./lib/bench-args.ts";
import { printTopSelfTime, profileDuring } from "./lib/cpu-profile.ts";
import { startIssuer } from "./lib/jwks.ts";
import { pairedCpuRatio, probe, processCpuMicros, runLoad, withCpuPerRequest, type LoadResult, type VariantSummary } from "./lib/load.ts";
import { freePort, waitForHttp } from "@edge-mcp/dev";
import { modernMessage } from "./lib/modern-request.ts";
import { formatRange, median, printTable } from "./lib/stats.ts";
import { bundleWorker, LOAD_CPU, pinned, pinningNote, pinSelf, SERVER_CPU, startWorkerd, type WorkerdService } from "./lib/workerd.ts";

const values = await benchArgs("bench/mcp-throughput.ts", "MCP tools/call throughput and CPU on bare workerd against Express + SDK and the hello-world floor, built servers reused or not, and bundle sizes.", { rounds: { type: "string", default: "3" }, seconds: { type: "string", default: "4" }, connections: { type: "string", default: "32" }, profile: { type: "string" }, depth: { type: "string", default: "2" } });
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const SESSIONS = 16;
const here = (p: string) => new URL(p, import.meta.url).pathname;
const root = (p: string) => new URL(`../${p}`, import.meta.url).pathname;

console.log("bundling with wrangler deploy --dry-run …");
const mcpEcho = bundleWorker(here("./workers/mcp-echo.wrangler.toml"));
const helloWorld = bundleWorker(here("./workers/hello-world.wrangler.toml"));
const agentsDir = here("./baselines/agents-mcp");
if (!existsSync(`${agentsDir}/node_modules/agents`)) {
  console.log("installing the agents McpAgent baseline (bench/baselines/agents-mcp) …");
  const installed = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: agentsDir, stdio: "inherit" });
  if (installed.status !== 0) throw new Error("could not install bench/baselines/agents-mcp");
}
const sizes = [
  { worker: "hello-world (floor)", bundle: helloWorld },
  { worker: "workers/hello (stateless)", bundle: bundleWorker(root("workers/hello/wrangler.toml")) },
  { worker: "workers/conformance (stateful)", bundle: bundleWorker(root("workers/conformance/wrangler.toml")) },
  { worker: "bench mcp-echo (both)", bundle: mcpEcho },
  { worker: "agents McpAgent, same tool (baseline)", bundle: bundleWorker(`${agentsDir}/wrangler.toml`) },
];

const issuer = await startIssuer();
type Variant = "floor" | "modern-noauth" | "modern-auth" | "modern-auth-fresh" | "stateless-noauth" | "stateless-auth" | "stateful-noauth" | "stateful-auth" | "express-auth";
const VARIANTS: Variant[] = ["floor", "modern-noauth", "modern-auth", "modern-auth-fresh", "stateless-noauth", "stateless-auth", "stateful-noauth", "stateful-auth", "express-auth"];
const WORKERD_VARIANTS = VARIANTS.filter((v) => v !== "express-auth");
const ports = Object.fromEntries(await Promise.all(VARIANTS.map(async (v) => [v, await freePort()] as const))) as Record<Variant, number>;
const resource = (v: Variant) => `http://127.0.0.1:${ports[v]}/mcp`;

const services: WorkerdService[] = WORKERD_VARIANTS.map((variant) => {
  if (variant === "floor") return { name: variant, bundle: helloWorld, port: ports[variant], bindings: {} };
  const [kind, auth, reuse] = variant.split("-") as ["modern" | "stateless" | "stateful", "auth" | "noauth", "fresh" | undefined];
  // Modern requests are stateless whatever the worker's transport: serve them from the stateless build.
  const transport = kind === "stateful" ? "stateful" : "stateless";
  return {
    name: variant,
    bundle: mcpEcho,
    port: ports[variant],
    bindings: {
      BENCH_TRANSPORT: transport,
      ...issuer.serverBindings(resource(variant)),
      ...(auth === "noauth" ? { AUTH_DISABLED: "true" } : {}),
      ...(reuse === "fresh" ? { BENCH_REUSE: "off" } : {}),
    },
    durableObject: { className: "McpSession", binding: "MCP_SESSION" },
  };
});
const inspectorPort = values.profile === undefined ? undefined : await freePort();
const workerd = await startWorkerd(services, inspectorPort === undefined ? {} : { inspectorPort });
// The Express baseline in its own Node process (its own event loop), like a VPS deployment.
const [expressCommand, expressArgs] = pinned(process.execPath, [here("./baselines/express-mcp/server.ts"), "--port", String(ports["express-auth"]), "--issuer", issuer.issuer, "--audience", resource("express-auth"), "--jwks", issuer.jwksUri], SERVER_CPU);
const express = spawn(expressCommand, expressArgs, { stdio: "ignore" });
const pinnedRun = pinSelf(LOAD_CPU);
await waitForHttp(`http://127.0.0.1:${ports["express-auth"]}/`, 20_000);

const CALL = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "hello" } } });
const modern = modernMessage("tools/call", "echo");
const baseHeaders = { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25" };
const bodyFor = (variant: Variant) => (variant.startsWith("modern") ? modern.body : CALL);

async function headersFor(variant: Variant): Promise<Record<string, string>> {
  const base = variant.startsWith("modern") ? modern.headers : baseHeaders;
  return variant.includes("-auth") ? { ...base, authorization: `Bearer ${await issuer.token(resource(variant))}` } : { ...base };
}

/** Opens sessions (initialize + initialized) and returns their ids. */
async function openSessions(variant: Variant, headers: Record<string, string>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const res = await fetch(resource(variant), {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "bench", version: "1" } } }),
    });
    const id = res.headers.get("mcp-session-id");
    await res.text();
    if (res.status !== 200 || id === null) throw new Error(`${variant}: initialize failed with HTTP ${res.status}`);
    const ack = await fetch(resource(variant), { method: "POST", headers: { ...headers, "mcp-session-id": id }, body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) });
    await ack.text();
    ids.push(id);
  }
  return ids;
}

const prepared = new Map<Variant, { headers: Record<string, string>; sessions: string[] }>();
for (const variant of VARIANTS) {
  if (variant === "floor") continue;
  const headers = await headersFor(variant);
  // Sanity: one real call must succeed before measuring.
  const sessions = variant.startsWith("stateful") ? await openSessions(variant, headers) : [];
  await probe(variant, { url: resource(variant), headers: sessions[0] ? { ...headers, "mcp-session-id": sessions[0] } : headers, body: bodyFor(variant) }, (text) => text.includes("hello"));
  prepared.set(variant, { headers, sessions });
}

if (inspectorPort !== undefined) {
  const variant = values.profile as Variant;
  const p = prepared.get(variant);
  if (p === undefined || !(WORKERD_VARIANTS as string[]).includes(variant)) throw new Error(`--profile takes one of ${WORKERD_VARIANTS.filter((v) => v !== "floor").join(", ")}`);
  try {
    const load = async () => void (await runLoad({ url: resource(variant), method: "POST", headers: p.headers, body: bodyFor(variant), ...(p.sessions.length > 0 ? { headersFor: (n: number) => ({ "mcp-session-id": p.sessions[n % p.sessions.length]! }) } : {}), connections: CONNECTIONS, durationSeconds: SECONDS }));
    const profile = (await profileDuring(inspectorPort, [variant], load)).get(variant)!;
    printTopSelfTime(`${variant}: self time by function during ${SECONDS} s of tools/call (shares of its samples)`, profile, Number(values.depth));
  } finally {
    workerd.stop();
    express.kill();
    await issuer.close();
  }
  process.exit(0);
}

const results = new Map<Variant, Array<LoadResult & { cpuPerRequest?: number }>>(VARIANTS.map((v) => [v, []]));
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]!);
    for (const variant of order) {
      const p = prepared.get(variant);
      // The workerd process's CPU over the run (every workerd variant lives in it; one runs at a time).
      const cpuMicros = variant === "express-auth" ? undefined : () => processCpuMicros(workerd.process.pid);
      const result = await withCpuPerRequest(cpuMicros, () => runLoad({
        url: variant === "floor" ? `http://127.0.0.1:${ports.floor}/` : resource(variant),
        method: variant === "floor" ? "GET" : "POST",
        ...(p === undefined ? {} : { headers: p.headers, body: bodyFor(variant) }),
        ...(p !== undefined && p.sessions.length > 0 ? { headersFor: (n: number) => ({ "mcp-session-id": p.sessions[n % p.sessions.length]! }) } : {}),
        connections: CONNECTIONS,
        durationSeconds: SECONDS,
      }));
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${variant}: ${result.non2xx} non-2xx and ${result.errors} errors during the run`);
      const { cpuPerRequest } = result;
      results.get(variant)!.push(result);
      process.stdout.write(`  round ${round + 1} ${variant}: ${Math.round(result.requestsPerSecond)} req/s${cpuPerRequest === undefined ? "" : `, ${Math.round(cpuPerRequest)} µs CPU per request`}\n`);
    }
  }
} finally {
  workerd.stop();
  express.kill("SIGTERM");
  await issuer.close();
}

const summary = Object.fromEntries(
  VARIANTS.map((v) => {
    const runs = results.get(v)!;
    const cpu = runs.map((r) => r.cpuPerRequest);
    return [v, {
      rps: median(runs.map((r) => r.requestsPerSecond)),
      p50: median(runs.map((r) => r.p50Ms)),
      p99: median(runs.map((r) => r.p99Ms)),
      rpsByRound: runs.map((r) => r.requestsPerSecond),
      ...(cpu.every((c) => c !== undefined) ? { cpuByRound: cpu as number[] } : {}),
    }];
  }),
) as Record<Variant, VariantSummary>;
const reuseCpu = pairedCpuRatio(summary["modern-auth"], summary["modern-auth-fresh"]);

console.log(`\nedge-mcp tools/call on bare workerd — ${ROUNDS} interleaved rounds × ${SECONDS} s, ${CONNECTIONS} connections, ${SESSIONS} sessions (stateful), medians`);
console.log(pinningNote(pinnedRun));
printTable(
  VARIANTS.map((v) => ({
    variant: v === "floor" ? "hello-world Worker (floor)" : v === "express-auth" ? "Express + SDK + jose (Node baseline)" : v,
    "req/s": Math.round(summary[v].rps),
    "p50 ms": summary[v].p50,
    "p99 ms": summary[v].p99,
    "vs floor": (summary[v].rps / summary.floor.rps).toFixed(3),
    "µs CPU / request": summary[v].cpuByRound === undefined ? "–" : Math.round(median(summary[v].cpuByRound)),
  })),
);
console.log("");
printTable([
  { ratio: "MCP 2026-07-28 (modern) / Express baseline, both with auth (goal ≥ 2.5)", value: (summary["modern-auth"].rps / summary["express-auth"].rps).toFixed(2) },
  { ratio: "CPU per trivial tools/call, built servers reused / built per request (modern, auth; goal ≤ 0.8), paired: median (min–max)", value: reuseCpu === undefined ? "not measured (no /proc)" : formatRange(reuseCpu) },
  { ratio: "modern (auth) / hello-world floor, req/s", value: (summary["modern-auth"].rps / summary.floor.rps).toFixed(3) },
  { ratio: "modern / 2025 stateless, both with auth (goal ≥ 1)", value: (summary["modern-auth"].rps / summary["stateless-auth"].rps).toFixed(2) },
  { ratio: "modern: auth on / auth off (goal ≥ 0.97)", value: (summary["modern-auth"].rps / summary["modern-noauth"].rps).toFixed(3) },
  { ratio: "edge-mcp stateless / Express baseline, both with auth (goal ≥ 2)", value: (summary["stateless-auth"].rps / summary["express-auth"].rps).toFixed(2) },
  { ratio: "edge-mcp stateful / Express baseline, both with auth", value: (summary["stateful-auth"].rps / summary["express-auth"].rps).toFixed(2) },
  { ratio: "stateless: auth on / auth off (goal ≥ 0.95)", value: (summary["stateless-auth"].rps / summary["stateless-noauth"].rps).toFixed(3) },
  { ratio: "stateful: auth on / auth off (goal ≥ 0.95)", value: (summary["stateful-auth"].rps / summary["stateful-noauth"].rps).toFixed(3) },
  { ratio: "auth on: stateful / stateless", value: (summary["stateful-auth"].rps / summary["stateless-auth"].rps).toFixed(3) },
  { ratio: `JWKS fetches during the whole run`, value: issuer.jwksRequests },
]);
console.log("\nBundle sizes (wrangler deploy --dry-run, source maps excluded; goal ≤ 300 KiB gzip for a stateful worker)\n");
const agents = sizes.at(-1)!.bundle.gzipBytes;
printTable(sizes.map(({ worker, bundle }) => ({ worker, "KiB": (bundle.bytes / 1024).toFixed(1), "gzip KiB": (bundle.gzipBytes / 1024).toFixed(1), "vs McpAgent (goal ≤ 0.5)": (bundle.gzipBytes / agents).toFixed(2) })));
