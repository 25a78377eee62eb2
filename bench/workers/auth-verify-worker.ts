/**
 * Runs inside workerd for `bench/auth-verify.ts`. workerd's clock does not advance during
 * pure computation, so each request runs a batch and the Node side times the request.
 *   POST /setup  { jwk, token, issuer, audience }  — builds the verifiers once (module scope)
 *   POST /run?mode=floor|jose|full|cached&n=N           — N sequential verifications
 */
import { createTokenVerifier, type TokenVerifier } from "@edge-mcp/auth";
import { jwtVerify } from "jose";

interface Setup {
  jwk: JsonWebKey & { kid: string };
  token: string;
  issuer: string;
  audience: string;
}

interface State {
  setup: Setup;
  full: TokenVerifier;
  cached: TokenVerifier;
  floorKey: CryptoKey;
  floorData: Uint8Array;
  floorSignature: Uint8Array;
}

let state: State | undefined;
let jwksFetches = 0;

function base64urlDecode(value: string): Uint8Array {
  const binary = atob(value.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function init(setup: Setup): Promise<State> {
  const jwks = JSON.stringify({ keys: [setup.jwk] });
  const make = (verifiedTokenCacheSize: number) =>
    createTokenVerifier({
      issuer: setup.issuer,
      audiences: [setup.audience],
      store: null,
      verifiedTokenCacheSize,
      fetch: async () => {
        jwksFetches += 1;
        return new Response(jwks, { headers: { "content-type": "application/json" } });
      },
    });
  const [header, payload, signature] = setup.token.split(".") as [string, string, string];
  const next: State = {
    setup,
    full: make(0),
    cached: make(1_000),
    floorKey: await crypto.subtle.importKey("jwk", setup.jwk, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]),
    floorData: new TextEncoder().encode(`${header}.${payload}`),
    floorSignature: base64urlDecode(signature),
  };
  await next.full.verify(setup.token); // warm-up: one JWKS fetch each
  await next.cached.verify(setup.token);
  return next;
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/setup") {
      state = await init((await request.json()) as Setup);
      return Response.json({ jwksFetches });
    }
    if (url.pathname === "/run" && state !== undefined) {
      const n = Number(url.searchParams.get("n") ?? "1000");
      const mode = url.searchParams.get("mode");
      const before = jwksFetches;
      let ok = 0;
      if (mode === "floor") {
        for (let i = 0; i < n; i++) {
          if (await crypto.subtle.verify("RSASSA-PKCS1-v1_5", state.floorKey, state.floorSignature, state.floorData)) ok += 1;
        }
      } else if (mode === "jose") {
        const options = { issuer: state.setup.issuer, audience: state.setup.audience, algorithms: ["RS256"] };
        for (let i = 0; i < n; i++) if ((await jwtVerify(state.setup.token, state.floorKey, options)).payload.sub) ok += 1;
      } else {
        const verifier = mode === "cached" ? state.cached : state.full;
        for (let i = 0; i < n; i++) if ((await verifier.verify(state.setup.token)).subject) ok += 1;
      }
      return Response.json({ ok, jwksFetches: jwksFetches - before });
    }
    return new Response("not found", { status: 404 });
  },
};
