/**
 * Benchmark: `verify()` with a warm JWKS cache against the physical floor — a bare WebCrypto
 * RS256 `verify` of the same token with a pre-imported key and pre-decoded inputs.
 *   jose   — jose's jwtVerify alone with the imported CryptoKey: what the library costs by itself
 *   full   — verifiedTokenCacheSize 0: every call runs jose's jwtVerify (a token seen the first time)
 *   cached — the default: the same token presented again, as MCP clients do on every request
 * All modes run in the same process in interleaved rounds; the ratio of medians is reported
 * (this machine is noisy: absolute numbers mean little, ratios measured together do).
 * Runs in Node (the package runs there unchanged) and inside workerd (Miniflare), where the
 * edge runs it, and counts JWKS fetches over 10,000 warm verifications (goal 0).
 *
 *   node bench/auth-verify.ts [--rounds 7] [--batch 2000]
 */
import { benchArgs } from "./lib/bench-args.ts";
import { build } from "esbuild";
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { createTokenVerifier } from "@edge-mcp/auth";
import { median, printTable } from "./lib/stats.ts";

const values = await benchArgs("bench/auth-verify.ts", "verify() with a warm JWKS cache against a bare WebCrypto RS256 verify of the same token (the floor), jose alone, and a cold cache.", { rounds: { type: "string", default: "7" }, batch: { type: "string", default: "2000" } });
const ROUNDS = Number(values.rounds);
const BATCH = Number(values.batch);
const WARM_VERIFICATIONS = 10_000;
const ISSUER = "https://tenant.bench.test/";
const AUDIENCE = "https://bench-mcp.bench.test/mcp";
const MODES = ["floor", "jose", "full", "cached"] as const;
type Mode = (typeof MODES)[number];

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
  name: string;
  run(mode: Mode, n: number): Promise<{ jwksFetches: number }>;
  dispose?(): Promise<void>;
}

/** Interleaves the modes (rotating their order) and returns median µs per verification. */
async function measure(runner: Runner) {
  for (const mode of MODES) await runner.run(mode, 500); // JIT warm-up
  const perOp: Record<Mode, number[]> = { floor: [], jose: [], full: [], cached: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < MODES.length; i++) {
      const mode = MODES[(round + i) % MODES.length]!;
      const start = performance.now();
      await runner.run(mode, BATCH);
      perOp[mode].push(((performance.now() - start) * 1000) / BATCH);
    }
  }
  let warmFetches = 0;
  for (let done = 0; done < WARM_VERIFICATIONS; done += BATCH) {
    warmFetches += (await runner.run("full", BATCH)).jwksFetches + (await runner.run("cached", BATCH)).jwksFetches;
  }
  const floor = median(perOp.floor);
  const jose = median(perOp.jose);
  const full = median(perOp.full);
  const cached = median(perOp.cached);
  return {
    runtime: runner.name,
    "floor µs": floor.toFixed(1),
    "jose alone µs": jose.toFixed(1),
    "full verify() µs": full.toFixed(1),
    "full / floor": (full / floor).toFixed(2),
    "full / jose": (full / jose).toFixed(2),
    "repeat-token verify() µs": cached.toFixed(2),
    "repeat / floor": (cached / floor).toFixed(3),
    [`JWKS fetches over ${WARM_VERIFICATIONS}×2 warm`]: warmFetches,
  };
}

function nodeRunner(): Runner {
  let fetches = 0;
  const jwksBody = JSON.stringify({ keys: [jwk] });
  const make = (verifiedTokenCacheSize: number) =>
    createTokenVerifier({
      issuer: ISSUER,
      audiences: [AUDIENCE],
      store: null,
      verifiedTokenCacheSize,
      fetch: async () => {
        fetches += 1;
        return new Response(jwksBody, { headers: { "content-type": "application/json" } });
      },
    });
  const verifiers = { full: make(0), cached: make(1_000) };
  const [h, p, s] = token.split(".") as [string, string, string];
  const data = new TextEncoder().encode(`${h}.${p}`);
  const signature = Buffer.from(s, "base64url");
  const keyPromise = crypto.subtle.importKey("jwk", jwk, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
  return {
    name: `node ${process.version}`,
    async run(mode, n) {
      const key = await keyPromise;
      const before = fetches;
      for (let i = 0; i < n; i++) {
        if (mode === "floor") await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, signature, data);
        else if (mode === "jose") await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ["RS256"] });
        else await verifiers[mode].verify(token);
      }
      return { jwksFetches: fetches - before };
    },
  };
}

async function workerdRunner(): Promise<Runner> {
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
      compatibilityDate: "2026-10-23",
      compatibilityFlags: ["nodejs_compat"],
    }),
  );
  const setup = await mf.dispatchFetch("http://bench/setup", {
    method: "POST",
    body: JSON.stringify({ jwk, token, issuer: ISSUER, audience: AUDIENCE }),
  });
  await setup.json();
  return {
    name: "workerd (miniflare)",
    async run(mode, n) {
      const res = await mf.dispatchFetch(`http://bench/run?mode=${mode}&n=${n}`, { method: "POST" });
      const body = (await res.json()) as { ok: number; jwksFetches: number };
      if (body.ok !== n) throw new Error(`workerd: only ${body.ok}/${n} verifications succeeded in mode ${mode}`);
      return body;
    },
    dispose: () => mf.dispose(),
  };
}

const rows = [];
for (const make of [async () => nodeRunner(), workerdRunner]) {
  const runner = await make();
  try {
    rows.push(await measure(runner));
  } finally {
    await runner.dispose?.();
  }
}

console.log(
  `\n@edge-mcp/auth verify() vs bare WebCrypto RS256 verify — ${ROUNDS} interleaved rounds × ${BATCH} sequential calls, medians`,
);
console.log("goal: verify() / floor ≤ 1.30; JWKS fetches after warm-up = 0\n");
printTable(rows);
