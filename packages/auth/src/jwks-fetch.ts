import { z } from "zod";
import { coalesce } from "./coalesce.ts";

/** Thrown (inside jose's key lookup) when the JWKS endpoint could not deliver a key set. */
export class JwksFetchError extends Error {
  override readonly name = "JwksFetchError";
}

/** RFC 7517 §5: a JWK Set is an object with a `keys` array of JWKs (each with `kty`). */
const JwkSetSchema = z.object({
  keys: z.array(z.looseObject({ kty: z.string() })),
});

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * The `fetch` handed to jose (`customFetch`). It
 * - coalesces concurrent JWKS fetches into one request (jose deliberately does not share its
 *   pending fetch on Workers, so 100 cold requests would otherwise make 100 fetches);
 * - validates the response and turns every failure (network, timeout, non-200, bad JSON, not a
 *   JWK Set) into `JwksFetchError`, so the verifier can tell "keys unavailable" (503) from
 *   "bad token" (401) by type, not by message;
 * - hands each caller a fresh `Response`, because in workerd a body read in one request
 *   cannot be read from another.
 */
export function createJwksFetch(fetchImpl: FetchLike, maxJoinWaitMs: number): FetchLike {
  const load = coalesce(async (input: string | URL | Request, init?: RequestInit): Promise<string> => {
    let response: Response;
    try {
      response = await fetchImpl(input, init);
    } catch (cause) {
      throw new JwksFetchError("The JWKS endpoint could not be reached.", { cause });
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new JwksFetchError(`The JWKS endpoint answered HTTP ${response.status}.`);
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch (cause) {
      throw new JwksFetchError("The JWKS endpoint did not return JSON.", { cause });
    }
    const parsed = JwkSetSchema.safeParse(json);
    if (!parsed.success) throw new JwksFetchError("The JWKS endpoint did not return a JWK Set.");
    return JSON.stringify(parsed.data);
  }, maxJoinWaitMs);

  return async (input, init) =>
    new Response(await load(input, init), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
}
