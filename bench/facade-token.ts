/**
 * Benchmark: what the edge OAuth facade's opaque tokens cost an MCP server, against Auth0-style
 * RS256 JWTs. In one run with interleaved rounds, MCP 2026-07-28 `tools/call` (hello's echo) with:
 * - an Auth0-style JWT (verified at the edge against a loopback JWKS; repeat tokens cached);
 * - a facade token, checked over the AUTH_SERVER service binding with the default isolate cache
 *   (AUTH_FACADE_CACHE_S = 5) — goal ≥ 0.95× the JWT throughput;
 * - a facade token with the cache off (AUTH_FACADE_CACHE_S = 0): one RPC + KV read per request,
 *   what revocation without any delay would cost.
 * The facade token comes from the real sign-in (DCR, consent, the Auth0 stand-in), as a client
 * gets it. Runs under Miniflare with a direct socket per worker (no entry proxy, no wrangler dev):
 * bare workerd has no local KV, which the facade's token records need. Same runtime, same
 * sockets for every variant, so the ratios compare like with like.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchArgs } from "./lib/bench-args.ts";
import { freePort } from "@edge-mcp/dev";
import { startMiniflareFleet } from "@edge-mcp/dev/miniflare-fleet";
import { loadOrCreateSigningKey, startDevAuthServer } from "@edge-mcp/dev-auth";
import { signInThroughFacade } from "@edge-mcp/testing/dev-browser";
import { startIssuer } from "./lib/jwks.ts";
import { probe, runInterleaved, type PreparedRequest } from "./lib/load.ts";
import { modernRequest } from "./lib/modern-request.ts";
import { printTable } from "./lib/stats.ts";

const values = await benchArgs("bench/facade-token.ts", "What the OAuth facade's opaque tokens cost an MCP server's tools/call, against Auth0-style RS256 JWTs, on bare workerd.", { rounds: { type: "string", default: "3" }, seconds: { type: "string", default: "4" }, connections: { type: "string", default: "16" } });
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const root = (p: string) => new URL(`../${p}`, import.meta.url).pathname;

type Variant = "jwt" | "facade" | "facade-no-cache";
const VARIANTS: Variant[] = ["jwt", "facade", "facade-no-cache"];
const port = { facade: await freePort(), upstream: await freePort(), jwt: await freePort(), cached: await freePort(), uncached: await freePort() };
const resource = (p: number) => `http://127.0.0.1:${p}/mcp`;
const facadeIssuer = `http://127.0.0.1:${port.facade}`;
const upstreamIssuer = `http://localhost:${port.upstream}/`;
const FACADE_CLIENT = { clientId: "bench-facade", clientSecret: crypto.randomUUID() + crypto.randomUUID(), redirectUri: `${facadeIssuer}/callback` };

const issuer = await startIssuer();
const upstream = await startDevAuthServer({
  issuer: upstreamIssuer,
  port: port.upstream,
  signingKey: await loadOrCreateSigningKey(join(mkdtempSync(join(tmpdir(), "bench-facade-")), "keys.json")),
  user: { sub: "auth0|bench", name: "Bench", email: "bench@example.dev" },
  resourceServers: [resource(port.cached), resource(port.uncached)].map((identifier, i) => ({ slug: `hello${i}`, name: "Hello", identifier, scopes: ["tools.read"] })),
  facadeClient: FACADE_CLIENT,
  registration: false,
});

console.log("bundling with wrangler deploy --dry-run …");
const hello = (name: string, p: number, bindings: Record<string, string>, facade: boolean) => ({
  name,
  config: root("workers/hello/wrangler.toml"),
  port: p,
  bindings: { MCP_RESOURCE: resource(p), MCP_SCOPES: "tools.read", ENVIRONMENT: "bench", ...bindings },
  ...(facade ? { services: { AUTH_SERVER: "oauth-facade" } } : {}),
});
const fleet = await startMiniflareFleet([
  {
    name: "oauth-facade",
    config: root("workers/oauth/wrangler.toml"),
    port: port.facade,
    bindings: {
      FACADE_ISSUER: facadeIssuer,
      FACADE_RESOURCES: `${resource(port.cached)} ${resource(port.uncached)}`,
      FACADE_SCOPES: "tools.read",
      UPSTREAM_ISSUER: upstreamIssuer,
      UPSTREAM_CLIENT_ID: FACADE_CLIENT.clientId,
      UPSTREAM_CLIENT_SECRET: FACADE_CLIENT.clientSecret,
      ENVIRONMENT: "bench",
    },
  },
  hello("hello-jwt", port.jwt, issuer.serverBindings(resource(port.jwt)), false),
  hello("hello-facade", port.cached, { AUTH_MODE: "facade", AUTH_ISSUER: facadeIssuer }, true),
  hello("hello-facade-no-cache", port.uncached, { AUTH_MODE: "facade", AUTH_ISSUER: facadeIssuer, AUTH_FACADE_CACHE_S: "0" }, true),
]);

/** A facade token for `target`, the way an MCP client gets one: DCR, consent, sign-in, code, token. */
async function facadeToken(target: string): Promise<string> {
  const REDIRECT = "http://127.0.0.1:1/callback";
  const reg = await fetch(`${facadeIssuer}/oauth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_name: "bench", redirect_uris: [REDIRECT], token_endpoint_auth_method: "none" }),
  });
  const { client_id } = (await reg.json()) as { client_id: string };
  const verifier = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  const challenge = Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))).toString("base64url");
  const authorize = new URL(`${facadeIssuer}/authorize`);
  for (const [k, v] of Object.entries({ client_id, response_type: "code", redirect_uri: REDIRECT, scope: "tools.read", resource: target, state: "b", code_challenge: challenge, code_challenge_method: "S256" })) {
    authorize.searchParams.set(k, v);
  }
  const back = await signInThroughFacade(authorize);
  const res = await fetch(`${facadeIssuer}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code: back.searchParams.get("code")!, redirect_uri: REDIRECT, client_id, code_verifier: verifier, resource: target }),
  });
  const token = ((await res.json()) as { access_token?: string }).access_token;
  if (token === undefined) throw new Error(`facade token request failed (${res.status})`);
  return token;
}

const targets: Record<Variant, number> = { jwt: port.jwt, facade: port.cached, "facade-no-cache": port.uncached };
const prepared = new Map<Variant, PreparedRequest>();
try {
  for (const v of VARIANTS) {
    const url = resource(targets[v]);
    const token = v === "jwt" ? await issuer.token(url, ["tools.read"]) : await facadeToken(url);
    const request = modernRequest(url, token, "tools/call", "echo");
    await probe(v, request, (text) => text.includes('"text":"hello"'));
    prepared.set(v, request);
  }

  const s = await runInterleaved(VARIANTS, prepared, { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS });
  console.log(`\nopaque facade credentials vs Auth0-style JWTs — Miniflare, direct sockets, ${ROUNDS} interleaved rounds × ${SECONDS} s, ${CONNECTIONS} connections, MCP 2026-07-28 tools/call, medians\n`);
  printTable(VARIANTS.map((v) => ({ variant: v, "req/s": Math.round(s[v].rps), "p50 ms": s[v].p50, "p99 ms": s[v].p99 })));
  console.log("");
  printTable([
    { ratio: "tools/call throughput: facade token (5 s isolate cache) / Auth0 JWT (goal ≥ 0.95)", value: (s.facade.rps / s.jwt.rps).toFixed(2) },
    { ratio: "tools/call throughput: facade token, no cache (an RPC per request) / Auth0 JWT", value: (s["facade-no-cache"].rps / s.jwt.rps).toFixed(2) },
  ]);
} finally {
  await fleet.dispose();
  await upstream.close();
  await issuer.close();
}
