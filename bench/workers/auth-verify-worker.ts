/**
 * Runs inside workerd for `bench/auth-verify.ts`. workerd's clock does not advance during
 * pure computation, so each request runs a batch and the Node side times the request.
 *   POST /setup  { jwk, token, issuer, audience }  — builds the verifier once (module scope)
 *   POST /run?mode=verify|floor&n=N                — N sequential verifications
 */
import { createTokenVerifier, type TokenVerifier } from "@edge-mcp/auth";

interface Setup {
  jwk: JsonWebKey & { kid: string };
  token: string;
  issuer: string;
  audience: string;
}

let verifier: TokenVerifier | undefined;
let setup: Setup | undefined;
let floorKey: CryptoKey | undefined;
let floorData: Uint8Array | undefined;
let floorSignature: Uint8Array | undefined;
let jwksFetches = 0;

function base64urlDecode(value: string): Uint8Array {
  const binary = atob(value.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/setup") {
      setup = (await request.json()) as Setup;
      const jwks = JSON.stringify({ keys: [setup.jwk] });
      verifier = createTokenVerifier({
        issuer: setup.issuer,
        audiences: [setup.audience],
        store: null,
        fetch: async () => {
          jwksFetches += 1;
          return new Response(jwks, { headers: { "content-type": "application/json" } });
        },
      });
      const [header, payload, signature] = setup.token.split(".") as [string, string, string];
      floorKey = await crypto.subtle.importKey("jwk", setup.jwk, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
      floorData = new TextEncoder().encode(`${header}.${payload}`);
      floorSignature = base64urlDecode(signature);
      await verifier.verify(setup.token); // warm-up: the one JWKS fetch
      return Response.json({ jwksFetches });
    }
    if (url.pathname === "/run" && verifier && setup && floorKey && floorData && floorSignature) {
      const n = Number(url.searchParams.get("n") ?? "1000");
      const before = jwksFetches;
      let ok = 0;
      if (url.searchParams.get("mode") === "floor") {
        for (let i = 0; i < n; i++) {
          if (await crypto.subtle.verify("RSASSA-PKCS1-v1_5", floorKey, floorSignature, floorData)) ok += 1;
        }
      } else {
        for (let i = 0; i < n; i++) {
          if ((await verifier.verify(setup.token)).subject) ok += 1;
        }
      }
      return Response.json({ ok, jwksFetches: jwksFetches - before });
    }
    return new Response("not found", { status: 404 });
  },
};
