/**
 * Benchmark: `verify()` with a warm JWKS cache against the physical floor, a bare WebCrypto
 * RS256 `verify` of the same token with a pre-imported key and pre-decoded inputs.
 * Both run in the same process, in interleaved rounds, and the ratio of medians is reported
 * (this machine is noisy: absolute numbers mean little, ratios measured together do).
 *
 * Runs twice: in Node (the package runs there unchanged) and inside workerd (Miniflare),
 * where the edge really runs it. Also counts JWKS fetches over 10,000 warm verifications.
 *
 *   node bench/auth-verify.ts [--rounds 7] [--batch 2000]
 */
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { createTokenVerifier } from "@edge-mcp/auth";
import { median, printTable } from "./lib/stats.ts";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "7" }, batch: { type: "string", default: "2000" } } });
const ROUNDS = Number(values.rounds);
const BATCH = Number(values.batch);
const WARM_VERIFICATIONS = 10_000;
const ISSUER = "https://tenant.bench.test/";
const AUDIENCE = "https://bench-mcp.bench.test/mcp";

const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
const jwk = { ...(await exportJWK(publicKey)), kid: "bench-key", alg: "RS256", use: "sig" };
const token = await new SignJWT({
  sub: "auth0|bench",
  azp: "bench-client",
  scope: "tools.read tools.write",
  permissions: ["tools.read", "tools.write"],
})
  .setProtectedHeader({ alg: "RS256", kid: jwk.kid, typ: "at+jwt" })
  .setIssuer(ISSUER)
  .setAudience(AUDIENCE)
  .setIssuedAt()
  .setExpirationTime("2h")
  .sign(privateKey);

interface Runner {
  run(mode: "verify" | "floor", n: number): Promise<{ jwksFetches: number }>;
}

/** Interleaves the two modes for ROUNDS rounds and returns median µs per verification. */
async function measure(runner: Runner) {
  const perOp = { verify: [] as number[], floor: [] as number[] };
  let fetchesDuringRuns = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 === 0 ? (["verify", "floor"] as const) : (["floor", "verify"] as const)) {
      const start = performance.now();
      const { jwksFetches } = await runner.run(mode, BATCH);
      perOp[mode].push(((performance.now() - start) * 1000) / BATCH);
      fetchesDuringRuns += jwksFetches;
    }
  }
  const verifyUs = median(perOp.verify);
  const floorUs = median(perOp.floor);
  return { verifyUs, floorUs, ratio: verifyUs / floorUs, fetchesDuringRuns };
}

// --- Node ---------------------------------------------------------------------------------
async function nodeRunner(): Promise<Runner & { warmFetches: () => Promise<number> }> {
  let fetches = 0;
  const jwksBody = JSON.stringify({ keys: [jwk] });
  const verifier = createTokenVerifier({
    issuer: ISSUER,
    audiences: [AUDIENCE],
    store: null,
    fetch: async () => {
      fetches += 1;
      return new Response(jwksBody, { headers: { "content-type": "application/json" } });
    },
  });
  await verifier.verify(token);
  const [h, p, s] = token.split(".") as [string, string, string];
  const key = await crypto.subtle.importKey("jwk", jwk, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
  const data = new TextEncoder().encode(`${h}.${p}`);
  const signature = Buffer.from(s, "base64url");
  return {
    async run(mode, n) {
      const before = fetches;
      for (let i = 0; i < n; i++) {
        if (mode === "floor") await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, signature, data);
        else await verifier.verify(token);
      }
      return { jwksFetches: fetches - before };
    },
    async warmFetches() {
      const before = fetches;
      for (let i = 0; i < WARM_VERIFICATIONS; i++) await verifier.verify(token);
      return fetches - before;
    },
  };
}

// --- workerd (Miniflare) ------------------------------------------------------------------
async function workerdRunner(): Promise<Runner & { warmFetches: () => Promise<number>; dispose: () => Promise<void> }> {
  const bundle = await build({
    entryPoints: [new URL("./workers/auth-verify-worker.ts", import.meta.url).pathname],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    write: false,
    logLevel: "silent",
  });
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: bundle.outputFiles[0]!.text,
      compatibilityDate: "2026-11-01",
      compatibilityFlags: ["nodejs_compat"],
    }),
  );
  const setup = await mf.dispatchFetch("http://bench/setup", {
    method: "POST",
    body: JSON.stringify({ jwk, token, issuer: ISSUER, audience: AUDIENCE }),
  });
  await setup.json();
  const run = async (mode: string, n: number) => {
    const res = await mf.dispatchFetch(`http://bench/run?mode=${mode}&n=${n}`, { method: "POST" });
    const body = (await res.json()) as { ok: number; jwksFetches: number };
    if (body.ok !== n) throw new Error(`workerd: only ${body.ok}/${n} verifications succeeded`);
    return body;
  };
  return {
    run,
    async warmFetches() {
      let total = 0;
      for (let done = 0; done < WARM_VERIFICATIONS; done += 2_000) total += (await run("verify", 2_000)).jwksFetches;
      return total;
    },
    dispose: () => mf.dispose(),
  };
}

const rows: Array<Record<string, string | number>> = [];
const node = await nodeRunner();
await node.run("verify", 500); // JIT warm-up
await node.run("floor", 500);
const nodeResult = await measure(node);
const nodeWarmFetches = await node.warmFetches();
rows.push({
  runtime: "node " + process.version,
  "verify() µs": nodeResult.verifyUs.toFixed(1),
  "WebCrypto floor µs": nodeResult.floorUs.toFixed(1),
  "ratio (goal ≤ 1.30)": nodeResult.ratio.toFixed(2),
  [`JWKS fetches / ${WARM_VERIFICATIONS} warm (goal 0)`]: nodeWarmFetches + nodeResult.fetchesDuringRuns,
});

const workerd = await workerdRunner();
try {
  await workerd.run("verify", 500);
  await workerd.run("floor", 500);
  const result = await measure(workerd);
  const warmFetches = await workerd.warmFetches();
  rows.push({
    runtime: "workerd (miniflare)",
    "verify() µs": result.verifyUs.toFixed(1),
    "WebCrypto floor µs": result.floorUs.toFixed(1),
    "ratio (goal ≤ 1.30)": result.ratio.toFixed(2),
    [`JWKS fetches / ${WARM_VERIFICATIONS} warm (goal 0)`]: warmFetches + result.fetchesDuringRuns,
  });
} finally {
  await workerd.dispose();
}

console.log(`\n@edge-mcp/auth verify() vs bare WebCrypto RS256 verify — ${ROUNDS} interleaved rounds × ${BATCH} sequential verifications, medians\n`);
printTable(rows);
