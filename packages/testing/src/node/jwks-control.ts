import { exportJWK, generateKeyPair } from "jose";

/**
 * A Miniflare `outboundService` standing between workers under test and the loopback JWKS:
 * tests take the endpoint down, bring it back, or rotate in a new key by fetching
 * `http://jwks-control.test/{down,up,rotate,stats}` (their fetches go through it too).
 * `rotate` answers with the new private JWK so the test can sign with it.
 */
export function jwksControlOutbound(jwksUri: string) {
  const state = { down: false, fetches: 0, extra: [] as object[] };
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (url.hostname === "jwks-control.test") {
      switch (url.pathname) {
        case "/down":
          state.down = true;
          break;
        case "/up":
          state.down = false;
          break;
        case "/rotate": {
          const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
          const kid = `rotated-${crypto.randomUUID()}`;
          state.extra.push({ ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" });
          return Response.json({ privateJwk: { ...(await exportJWK(privateKey)), kid, alg: "RS256" } });
        }
      }
      return Response.json({ down: state.down, fetches: state.fetches });
    }
    if (url.href === jwksUri) {
      state.fetches += 1;
      if (state.down) throw new Error("connection refused (jwks-control: down)");
      const upstream = (await (await fetch(jwksUri)).json()) as { keys: object[] };
      return Response.json({ keys: [...upstream.keys, ...state.extra] });
    }
    return fetch(request);
  };
}
