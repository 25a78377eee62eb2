import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  AUTH_DEFAULTS,
  cacheApiJwksStore,
  createTokenVerifier,
  InvalidTokenError,
  JwksUnavailableError,
  kvJwksStore,
  type JwksStore,
  type TokenVerifierOptions,
} from "../src/index.ts";
import { JwksEndpoint, type EndpointMode } from "./helpers/jwks-endpoint.ts";
import { AUDIENCE, b64url, generateSigningKey, ISSUER, mintToken, type SigningKey } from "./helpers/keys.ts";
import { rejectionOf } from "./helpers/verifier.ts";

const T0 = new Date("2026-11-23T12:00:00Z").getTime();
let key: SigningKey;
let endpoint: JwksEndpoint;

beforeEach(async () => {
  // Freeze Date (jose's max-age and cooldown clock) but keep real timers for I/O.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
  key = await generateSigningKey("key-1");
  endpoint = new JwksEndpoint([key.publicJwk]);
});

afterEach(() => {
  vi.useRealTimers();
});

const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

function makeVerifier(overrides: Partial<TokenVerifierOptions> = {}) {
  return createTokenVerifier({ issuer: ISSUER, audiences: [AUDIENCE], fetch: endpoint.fetch, store: null, ...overrides });
}

/** A token with a random, unknown `kid` and a valid-looking body: costs the attacker nothing to make. */
function forgedKidToken(template: string): string {
  const [, payload, signature] = template.split(".");
  return `${b64url({ alg: "RS256", kid: crypto.randomUUID() })}.${payload}.${signature}`;
}

describe("JWKS caching (jose createRemoteJWKSet, seeded across isolates)", () => {
  it("makes exactly 1 JWKS fetch for 100 concurrent verifications on a cold cache", async () => {
    endpoint.latencyMs = 25;
    const verifier = makeVerifier();
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => mintToken({ key, claims: { sub: `user-${i}` } })));
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => verifier.verify(tokens[i % 10]!)));
    expect(results.map((r) => r.subject)).toEqual(Array.from({ length: 100 }, (_, i) => `user-${i % 10}`));
    expect(endpoint.fetchCount).toBe(1);
  });

  it("accepts a token signed by a rotated-in key after exactly one refetch", async () => {
    const verifier = makeVerifier();
    await verifier.verify(await mintToken({ key }));
    expect(endpoint.fetchCount).toBe(1);
    const next = await generateSigningKey("key-2");
    endpoint.keys = [key.publicJwk, next.publicJwk];
    advance(31_000); // past the 30 s cooldown that follows a fetch
    const ctx = await verifier.verify(await mintToken({ key: next }));
    expect(ctx.subject).toBe("auth0|alice");
    expect(endpoint.fetchCount).toBe(2);
    await verifier.verify(await mintToken({ key: next }));
    await verifier.verify(await mintToken({ key }));
    expect(endpoint.fetchCount).toBe(2);
  });

  it("rejects a rotated-in key's token as unknown_key within the cooldown, without fetching", async () => {
    const verifier = makeVerifier();
    await verifier.verify(await mintToken({ key }));
    const next = await generateSigningKey("key-2");
    endpoint.keys = [next.publicJwk];
    advance(5_000);
    const error = await rejectionOf(verifier.verify(await mintToken({ key: next })));
    expect((error as InvalidTokenError).reason).toBe("unknown_key");
    expect(endpoint.fetchCount).toBe(1);
  });

  it("makes at most 1 fetch per cooldown for a flood of 1,000 tokens with random unknown kids", async () => {
    const verifier = makeVerifier();
    const template = await mintToken({ key });
    await verifier.verify(template);
    expect(endpoint.fetchCount).toBe(1);
    endpoint.latencyMs = 5;
    const windows = 3;
    for (let window = 1; window <= windows; window++) {
      advance(30_001); // a new cooldown window: one refetch is allowed
      const outcomes = await Promise.allSettled(Array.from({ length: 1_000 }, () => verifier.verify(forgedKidToken(template))));
      expect(outcomes.every((o) => o.status === "rejected" && (o.reason as InvalidTokenError).reason === "unknown_key")).toBe(true);
      expect(endpoint.fetchCount).toBeLessThanOrEqual(1 + window);
    }
    // And the good token still verifies without another fetch.
    const before = endpoint.fetchCount;
    await verifier.verify(template);
    expect(endpoint.fetchCount).toBe(before);
  });

  it("does not churn on forged kids: a refetch returning the same keys writes nothing and keeps verified tokens cached (issue 13 §6)", async () => {
    let writes = 0;
    const inner = cacheApiJwksStore(await caches.open(`jwks-test-${crypto.randomUUID()}`));
    const store: JwksStore = { read: (uri) => inner.read(uri), write: async (uri, value, ttl) => void (writes++, await inner.write(uri, value, ttl)) };
    const verifier = makeVerifier({ store });
    const good = await mintToken({ key });
    const verify = vi.spyOn(crypto.subtle, "verify");
    try {
      await verifier.verify(good);
      expect(verify).toHaveBeenCalledTimes(1);
      for (let i = 0; i < 10; i++) {
        advance(30_001); // each forged kid lands in a new cooldown window: jose refetches
        expect(await rejectionOf(verifier.verify(forgedKidToken(good)))).toMatchObject({ reason: "unknown_key" });
        await verifier.verify(good);
      }
      expect(endpoint.fetchCount).toBe(11);
      expect(writes).toBe(1); // the first fetch only
      expect(verify).toHaveBeenCalledTimes(1); // the good token was never re-verified
    } finally {
      verify.mockRestore();
    }
  });

  it("writes an unchanged key set back at most once per max-age (fresh seeds for new isolates), and at once when keys rotate", async () => {
    let writes = 0;
    const inner = cacheApiJwksStore(await caches.open(`jwks-test-${crypto.randomUUID()}`));
    const store: JwksStore = { read: (uri) => inner.read(uri), write: async (uri, value, ttl) => void (writes++, await inner.write(uri, value, ttl)) };
    const verifier = makeVerifier({ store });
    const good = await mintToken({ key });
    await verifier.verify(good);
    advance(10 * 60_000 + 1); // past max-age: jose refetches the same keys for the next new token
    await verifier.verify(await mintToken({ key, claims: { sub: "someone-else" } }));
    expect(endpoint.fetchCount).toBe(2);
    expect(writes).toBe(2);
    const next = await generateSigningKey("key-2");
    endpoint.keys = [key.publicJwk, next.publicJwk];
    advance(31_000);
    await verifier.verify(await mintToken({ key: next }));
    expect(writes).toBe(3);
  });

  it.each<EndpointMode>(["down", "http500", "garbage", "hang"])(
    "keeps verifying with 0 failures on a warm cache when the JWKS endpoint is %s",
    async (mode) => {
      const verifier = makeVerifier({ jwksTimeoutMs: 50 });
      await verifier.verify(await mintToken({ key }));
      endpoint.mode = mode;
      advance(11 * 60_000); // past the 10 min max-age: jose tries to refetch and fails
      const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => mintToken({ key, claims: { sub: `u${i}` } })));
      const outcomes = await Promise.allSettled(tokens.map((t) => verifier.verify(t)));
      expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
      expect(verifier.status()).toMatchObject({ state: "stale", keyCount: 1 });
      expect(verifier.status().lastFailureAt).toBe(Date.now());
    },
  );

  it("still rejects a forged token as invalid (not 503) while the endpoint is down and the cache is warm", async () => {
    const verifier = makeVerifier();
    const good = await mintToken({ key });
    await verifier.verify(good);
    endpoint.mode = "down";
    advance(11 * 60_000);
    const error = await rejectionOf(verifier.verify(forgedKidToken(good)));
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect((error as InvalidTokenError).reason).toBe("unknown_key");
  });

  it.each<EndpointMode>(["down", "http500", "garbage", "hang"])(
    "fails with jwks_unavailable, never invalid_token, on a cold cache when the JWKS endpoint is %s",
    async (mode) => {
      endpoint.mode = mode;
      const verifier = makeVerifier({ jwksTimeoutMs: 50 });
      const error = await rejectionOf(verifier.verify(await mintToken({ key })));
      expect(error).toBeInstanceOf(JwksUnavailableError);
      expect((error as JwksUnavailableError).code).toBe("jwks_unavailable");
      expect(verifier.status().state).toBe("empty");
    },
  );

  it("recovers on its own once the endpoint is back and the failure backoff has passed", async () => {
    endpoint.mode = "down";
    const verifier = makeVerifier();
    const token = await mintToken({ key });
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(JwksUnavailableError);
    endpoint.mode = "ok";
    advance(AUTH_DEFAULTS.jwksFailureBackoffMs);
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: "auth0|alice" });
    expect(verifier.status()).toMatchObject({ state: "fresh", lastFailureAt: undefined });
  });

  it("answers 503 at once, without another fetch, during the backoff after a failed fetch on a cold cache", async () => {
    endpoint.mode = "down";
    const verifier = makeVerifier();
    const token = await mintToken({ key });
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(JwksUnavailableError);
    endpoint.mode = "ok";
    advance(AUTH_DEFAULTS.jwksFailureBackoffMs - 1);
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(JwksUnavailableError);
    expect(endpoint.fetchCount).toBe(1);
  });

  it("is not held in backoff by a clock that stepped backwards after a failure", async () => {
    endpoint.mode = "down";
    const verifier = makeVerifier();
    const token = await mintToken({ key });
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(JwksUnavailableError);
    endpoint.mode = "ok";
    advance(-60_000);
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: "auth0|alice" });
  });

  it("does not make every request wait on a hanging endpoint: one attempt per backoff while stale keys serve", async () => {
    const verifier = makeVerifier({ jwksTimeoutMs: 50 });
    await verifier.verify(await mintToken({ key }));
    endpoint.mode = "hang";
    advance(11 * 60_000);
    for (let i = 0; i < 20; i++) {
      await expect(verifier.verify(await mintToken({ key, claims: { sub: `s${i}` } }))).resolves.toBeTruthy();
    }
    expect(endpoint.fetchCount).toBe(2); // the warm-up and one failed refresh attempt
    advance(AUTH_DEFAULTS.jwksFailureBackoffMs);
    await verifier.verify(await mintToken({ key, claims: { sub: "later" } }));
    expect(endpoint.fetchCount).toBe(3);
  });
});

describe("cross-isolate JWKS store", () => {
  async function uniqueCacheStore(): Promise<JwksStore> {
    return cacheApiJwksStore(await caches.open(`jwks-test-${crypto.randomUUID()}`));
  }

  it("lets a new isolate (a fresh verifier) verify with 0 JWKS fetches once the Cache API is seeded", async () => {
    const store = await uniqueCacheStore();
    const token = await mintToken({ key });
    await makeVerifier({ store }).verify(token);
    expect(endpoint.fetchCount).toBe(1);
    const fresh = makeVerifier({ store });
    await expect(fresh.verify(token)).resolves.toMatchObject({ subject: "auth0|alice" });
    expect(endpoint.fetchCount).toBe(1);
  });

  it("uses the Workers Cache API by default (no store option)", async () => {
    // A unique issuer gives a unique cache key, so other tests cannot interfere.
    const issuer = `https://tenant-${crypto.randomUUID()}.example-auth.test/`;
    const token = await mintToken({ key, claims: { iss: issuer } });
    const options = { issuer, audiences: [AUDIENCE], fetch: endpoint.fetch };
    await createTokenVerifier(options).verify(token);
    await createTokenVerifier(options).verify(token);
    expect(endpoint.fetchCount).toBe(1);
  });

  it("seeds from a KV namespace when one is configured", async () => {
    const store = kvJwksStore(env.JWKS_KV);
    const issuer = `https://tenant-${crypto.randomUUID()}.example-auth.test/`;
    const token = await mintToken({ key, claims: { iss: issuer } });
    await makeVerifier({ issuer, store }).verify(token);
    const stored = await env.JWKS_KV.get(`jwks:v1:${issuer}.well-known/jwks.json`, "json");
    expect(stored).toMatchObject({ uat: T0, jwks: { keys: [{ kid: "key-1" }] } });
    await makeVerifier({ issuer, store }).verify(token);
    expect(endpoint.fetchCount).toBe(1);
  });

  it("writes rotated keys back, so the next isolate knows the new key without fetching", async () => {
    const store = await uniqueCacheStore();
    const first = makeVerifier({ store });
    await first.verify(await mintToken({ key }));
    const next = await generateSigningKey("key-2");
    endpoint.keys = [key.publicJwk, next.publicJwk];
    advance(31_000);
    const rotated = await mintToken({ key: next });
    await first.verify(rotated);
    expect(endpoint.fetchCount).toBe(2);
    await makeVerifier({ store }).verify(rotated);
    expect(endpoint.fetchCount).toBe(2);
  });

  it("refetches a seed older than max-age, and falls back to it while the endpoint is down", async () => {
    const store = await uniqueCacheStore();
    const token = await mintToken({ key, claims: { exp: Math.floor(T0 / 1000) + 86_400 } });
    await makeVerifier({ store }).verify(token);
    advance(60 * 60_000); // an hour later the seed is past max-age
    endpoint.mode = "down";
    const isolate = makeVerifier({ store });
    await expect(isolate.verify(token)).resolves.toMatchObject({ subject: "auth0|alice" });
    expect(endpoint.fetchCount).toBe(2); // it did try to refresh
  });

  it("stops trusting stale keys after the store TTL (the stale-if-error horizon)", async () => {
    const verifier = makeVerifier({ jwksStoreTtlSeconds: 3600 });
    const token = await mintToken({ key, claims: { exp: Math.floor(T0 / 1000) + 86_400 } });
    await verifier.verify(token);
    endpoint.mode = "down";
    advance(3601 * 1000);
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(JwksUnavailableError);
  });

  it("verifies normally when the store throws on read and write", async () => {
    const broken: JwksStore = {
      read: () => Promise.reject(new Error("store down")),
      write: () => Promise.reject(new Error("store down")),
    };
    const verifier = makeVerifier({ store: broken });
    await expect(verifier.verify(await mintToken({ key }))).resolves.toMatchObject({ subject: "auth0|alice" });
  });

  it("ignores a corrupt store entry and fetches instead", async () => {
    const cache = await caches.open(`jwks-test-${crypto.randomUUID()}`);
    const store = cacheApiJwksStore(cache);
    await store.write(`${ISSUER}.well-known/jwks.json`, { uat: T0, jwks: { keys: "nope" } } as never, 60);
    await makeVerifier({ store }).verify(await mintToken({ key }));
    expect(endpoint.fetchCount).toBe(1);
  });
});

describe("warm() and status()", () => {
  it("reports empty before any use, fresh after warm(), without exposing keys", async () => {
    const verifier = makeVerifier();
    expect(verifier.status()).toEqual({ state: "empty", keyCount: 0, fetchedAt: undefined, ageSeconds: undefined, lastFailureAt: undefined });
    const status = await verifier.warm();
    expect(status).toEqual({ state: "fresh", keyCount: 1, fetchedAt: T0, ageSeconds: 0, lastFailureAt: undefined });
    expect(JSON.stringify(status)).not.toContain(String(key.publicJwk.n));
    await verifier.warm();
    expect(endpoint.fetchCount).toBe(1);
  });

  it("never throws from warm() when the endpoint is down", async () => {
    endpoint.mode = "down";
    const status = await makeVerifier().warm();
    expect(status.state).toBe("empty");
    expect(status.lastFailureAt).toBe(T0);
  });
});
