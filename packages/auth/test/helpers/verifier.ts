import { createTokenVerifier, type TokenVerifierOptions } from "../../src/index.ts";
import { JwksEndpoint } from "./jwks-endpoint.ts";
import { AUDIENCE, generateSigningKey, ISSUER, type SigningKey } from "./keys.ts";

export interface Fixture {
  key: SigningKey;
  endpoint: JwksEndpoint;
  verifier: ReturnType<typeof createTokenVerifier>;
}

/** A verifier wired to a counting JWKS endpoint; no shared store unless a test asks for one. */
export async function setup(overrides: Partial<TokenVerifierOptions> = {}): Promise<Fixture> {
  const key = await generateSigningKey("key-1");
  const endpoint = new JwksEndpoint([key.publicJwk]);
  const verifier = createTokenVerifier({
    issuer: ISSUER,
    audiences: [AUDIENCE],
    fetch: endpoint.fetch,
    store: null,
    ...overrides,
  });
  return { key, endpoint, verifier };
}

/** Resolves to the rejection, or fails the test if the promise resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection, but the promise resolved");
}
