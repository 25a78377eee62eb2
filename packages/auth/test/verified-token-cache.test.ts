import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { InvalidTokenError } from "../src/index.ts";
import { generateSigningKey, mintToken } from "./helpers/keys.ts";
import { rejectionOf, setup } from "./helpers/verifier.ts";

const T0 = new Date("2026-11-23T12:00:00Z").getTime();
const nowS = () => Math.floor(Date.now() / 1000);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("verified-token cache (the same token presented again)", () => {
  it("does not repeat the RSA verification for a token it has already verified", async () => {
    const { key, verifier } = await setup();
    const token = await mintToken({ key });
    const spy = vi.spyOn(crypto.subtle, "verify");
    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    expect(second).toBe(first);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it("verifies every token fully when the cache is disabled (verifiedTokenCacheSize: 0)", async () => {
    const { key, verifier } = await setup({ verifiedTokenCacheSize: 0 });
    const token = await mintToken({ key });
    const spy = vi.spyOn(crypto.subtle, "verify");
    await verifier.verify(token);
    await verifier.verify(token);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it("stops serving a cached token once it expires (exp + clock tolerance)", async () => {
    const { key, verifier } = await setup({ clockToleranceSeconds: 5 });
    const token = await mintToken({ key, claims: { iat: nowS(), exp: nowS() + 60 } });
    await verifier.verify(token);
    vi.setSystemTime(T0 + 64_000);
    await expect(verifier.verify(token)).resolves.toBeTruthy();
    vi.setSystemTime(T0 + 65_000);
    const error = await rejectionOf(verifier.verify(token));
    expect((error as InvalidTokenError).reason).toBe("expired");
  });

  it("re-verifies cached tokens after a JWKS refetch, so a key removed at rotation stops working", async () => {
    const { key, verifier, endpoint } = await setup();
    const token = await mintToken({ key });
    await verifier.verify(token);
    const next = await generateSigningKey("key-2");
    endpoint.keys = [next.publicJwk]; // key-1 revoked
    vi.setSystemTime(T0 + 31_000);
    await verifier.verify(await mintToken({ key: next })); // triggers the refetch
    const error = await rejectionOf(verifier.verify(token));
    expect((error as InvalidTokenError).reason).toBe("unknown_key");
  });

  it("never serves a token that differs by one character from a cached one", async () => {
    const { key, verifier } = await setup();
    const token = await mintToken({ key });
    await verifier.verify(token);
    const last = token.at(-2) === "A" ? "B" : "A";
    const tampered = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    const error = await rejectionOf(verifier.verify(tampered));
    expect((error as InvalidTokenError).reason).toBe("bad_signature");
  });

  it("keeps at most verifiedTokenCacheSize tokens, dropping the oldest", async () => {
    const { key, verifier } = await setup({ verifiedTokenCacheSize: 2 });
    const [a, b, c] = await Promise.all(["a", "b", "c"].map((sub) => mintToken({ key, claims: { sub } })));
    const spy = vi.spyOn(crypto.subtle, "verify");
    for (const token of [a, b, c, c, b, a]) await verifier.verify(token!);
    // a, b, c verified; c and b hits; a was evicted by c and verified again.
    expect(spy).toHaveBeenCalledTimes(4);
  });
});
