/**
 * Benchmark (issue 25 §8): what acting as the user costs a tool call once the token is cached,
 * and what the first (uncached) exchange adds.
 *
 * One server (bench/workers/mcp-apis.ts, stateless, RS256 auth) on bare workerd; the real local
 * authorization server (`@edge-mcp/dev-auth`, oidc-provider) performs RFC 8693 exchanges on
 * loopback. `with_token` gets the caller's exchanged token for a declared API from the cache;
 * `plain` is the same call without: interleaved rounds, paired ratios (goal ≥ 0.95). Then the
 * added latency of a cold exchange: new callers' first `with_token` against warm `plain` calls.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOrCreateSigningKey, mintAccessToken, startDevAuthServer } from "@edge-mcp/dev-auth";
import { freePort } from "@edge-mcp/dev";
import { benchArgs } from "./lib/bench-args.ts";
import { pairedCpuRatio, pairedRatio, probe, processCpuMicros, runInterleaved, type PreparedRequest } from "./lib/load.ts";
import { modernRequest } from "./lib/modern-request.ts";
import { formatRange, median, printTable } from "./lib/stats.ts";
import { bundleWorker, LOAD_CPU, pinningNote, pinSelf, startWorkerd } from "./lib/workerd.ts";

const values = await benchArgs("bench/acting-as-user.ts", "A tool call with a cached exchanged token vs the same call without, and the first exchange's added latency.", { rounds: { type: "string", default: "5" }, seconds: { type: "string", default: "4" }, connections: { type: "string", default: "16" }, cold: { type: "string", default: "20" } });
const options = { rounds: Number(values.rounds), seconds: Number(values.seconds), connections: Number(values.connections) };

console.log("bundling bench/workers/mcp-apis.ts with wrangler deploy --dry-run …");
const bundle = bundleWorker(new URL("./workers/mcp-apis.wrangler.toml", import.meta.url).pathname);
const pinnedRun = pinSelf(LOAD_CPU);
const [authPort, serverPort] = [await freePort(), await freePort()];
const issuer = `http://localhost:${authPort}/`;
const resource = `http://127.0.0.1:${serverPort}/mcp`;
const orders = "http://localhost:1/orders/";
const exchange = { id: "bench-exchange", secret: "bench-exchange-secret-0123456789" };
const key = await loadOrCreateSigningKey(join(mkdtempSync(join(tmpdir(), "bench-apis-")), "keys.json"));
const auth = await startDevAuthServer({
  issuer,
  port: authPort,
  signingKey: key,
  user: { sub: "auth0|bench", name: "Bench", email: "bench@example.dev" },
  resourceServers: [
    { slug: "bench", name: "Bench", identifier: resource, scopes: ["tools.read"] },
    { slug: "orders", name: "Orders", identifier: orders, scopes: ["orders.read"] },
  ],
  exchangeClients: [{ clientId: exchange.id, clientSecret: exchange.secret, api: resource, audiences: [orders], connections: [] }],
});
const token = (sub: string) => mintAccessToken(key, { issuer, audience: resource, subject: sub, clientId: "bench-client", scopes: ["tools.read"] });
const workerd = await startWorkerd([
  {
    name: "apis",
    bundle,
    port: serverPort,
    bindings: {
      MCP_RESOURCE: resource, AUTH_ISSUER: issuer, AUTH_AUDIENCES: resource, ENVIRONMENT: "bench",
      MCP_APIS: JSON.stringify({ orders: { kind: "first-party", audience: orders, scopes: ["orders.read"], baseUrl: "http://localhost:1" } }),
      MCP_EXCHANGE_CLIENT_ID: exchange.id, MCP_EXCHANGE_CLIENT_SECRET: exchange.secret,
    },
  },
]);

const CACHED = "cached exchanged token";
const NONE = "no token";
const VARIANTS = [CACHED, NONE] as const;
type Variant = (typeof VARIANTS)[number];
let summary;
const cold: number[] = [];
const warm: number[] = [];
try {
  const bearer = await token("auth0|bench");
  const prepared = new Map<Variant, PreparedRequest>([[CACHED, modernRequest(resource, bearer, "tools/call", "with_token")], [NONE, modernRequest(resource, bearer, "tools/call", "plain")]]);
  for (const v of VARIANTS) await probe(v, prepared.get(v)!, (text) => text.includes('"text":"hello"'), workerd.stderr);
  summary = await runInterleaved(VARIANTS, prepared, { ...options, cpuMicros: () => processCpuMicros(workerd.process.pid) });
  // The first exchange: a new caller's first with_token (cold cache) against a warm plain call, one at a time.
  const timed = async (request: PreparedRequest) => {
    const started = performance.now();
    const res = await fetch(request.url, { method: "POST", headers: request.headers, body: request.body });
    const text = await res.text();
    if (!text.includes('"text":"hello"')) throw new Error(`unexpected answer: ${text.slice(0, 200)}`);
    return performance.now() - started;
  };
  for (let i = 0; i < Number(values.cold); i++) {
    const fresh = await token(`auth0|cold-${i}`);
    cold.push(await timed(modernRequest(resource, fresh, "tools/call", "with_token")));
    warm.push(await timed(modernRequest(resource, fresh, "tools/call", "plain")));
  }
} finally {
  workerd.stop();
  await auth.close();
}

console.log(`\ntools/call on bare workerd — ${values.rounds} interleaved rounds × ${values.seconds} s, ${values.connections} connections, MCP 2026-07-28 with auth, medians`);
console.log(pinningNote(pinnedRun));
printTable(VARIANTS.map((v) => ({ variant: v, "req/s": Math.round(summary[v].rps), "p50 ms": summary[v].p50, "p99 ms": summary[v].p99, "µs CPU / request": summary[v].cpuByRound === undefined ? "–" : Math.round(median(summary[v].cpuByRound)) })));
console.log("");
const rows = [{ ratio: "throughput, cached exchanged token / no token, paired within each round: median (min–max) — goal ≥ 0.95", value: formatRange(pairedRatio(summary[CACHED], summary[NONE])) }];
const cpu = pairedCpuRatio(summary[NONE], summary[CACHED]);
if (cpu !== undefined) rows.push({ ratio: "the same from CPU per request (no token / cached), paired", value: formatRange(cpu) });
const added = cold.map((c, i) => c - warm[i]!);
rows.push({ ratio: `first (uncached) exchange's added latency, ${cold.length} new callers: median (min–max) ms`, value: `${median(added).toFixed(1)} (${Math.min(...added).toFixed(1)}–${Math.max(...added).toFixed(1)})` });
printTable(rows);
