import type { JWK } from "jose";

export type EndpointMode = "ok" | "down" | "http500" | "garbage" | "hang";

/**
 * A real JWKS endpoint as a fetch function (jose's `customFetch`): serves the current public
 * keys as `application/json`, counts every request, and can be switched to fail like a real
 * outage would (connection refused, HTTP 500, a non-JSON error page, a hang).
 */
export class JwksEndpoint {
  keys: JWK[];
  mode: EndpointMode = "ok";
  fetchCount = 0;
  /** Added to every answer, to make concurrent requests overlap. */
  latencyMs = 0;

  constructor(keys: JWK[]) {
    this.keys = keys;
  }

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    this.fetchCount += 1;
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    switch (this.mode) {
      case "down":
        throw new TypeError(`fetch failed: connection refused (${url})`);
      case "http500":
        return new Response("upstream error", { status: 500 });
      case "garbage":
        return new Response("<html>maintenance</html>", { status: 200, headers: { "content-type": "text/html" } });
      case "hang":
        return new Promise<Response>((_, reject) => {
          init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        });
      case "ok":
        return Response.json({ keys: this.keys });
    }
  };
}
