/**
 * The exchanged-token cache (issue 25 §2): per key until shortly before expiry, bounded, one
 * exchange per key at a time, and a refused token forgotten.
 */
import { describe, expect, it } from "vitest";
import { TokenCache } from "../src/apis/token-cache.ts";

const token = (name: string, expiresAt: number) => ({ accessToken: name, expiresAt, scopes: ["orders.read"] });

describe("TokenCache", () => {
  it("hands out a token until 60 s before it expires, then exchanges again", async () => {
    const cache = new TokenCache();
    const now = 1_000_000;
    let exchanges = 0;
    const exchange = async () => token(`t${++exchanges}`, now + 120_000);
    expect((await cache.get("k", exchange, now)).cached).toBe(false);
    expect(await cache.get("k", exchange, now + 59_000)).toMatchObject({ cached: true, token: { accessToken: "t1" } });
    expect(await cache.get("k", exchange, now + 59_999)).toMatchObject({ cached: true, token: { accessToken: "t1" } });
    // Exactly 60 s before expiry is already too close.
    expect(await cache.get("k", exchange, now + 60_000)).toMatchObject({ cached: false, token: { accessToken: "t2" } });
    expect(exchanges).toBe(2);
  });

  it("shares one exchange among concurrent calls for a key, and never makes another key wait for it", async () => {
    const cache = new TokenCache();
    let release!: () => void;
    let slowExchanges = 0;
    const slow = () => (slowExchanges++, new Promise<ReturnType<typeof token>>((resolve) => (release = () => resolve(token("alice", Date.now() + 3_600_000)))));
    const waiting = [cache.get("alice", slow), cache.get("alice", slow), cache.get("alice", slow)];
    const bob = await cache.get("bob", async () => token("bob", Date.now() + 3_600_000));
    expect(bob.token.accessToken).toBe("bob");
    release();
    // Every waiter got a token from the exchange it joined, none from the cache.
    expect((await Promise.all(waiting)).map((r) => [r.token.accessToken, r.cached])).toEqual([["alice", false], ["alice", false], ["alice", false]]);
    expect(slowExchanges).toBe(1);
  });

  it("keeps at most maxEntries tokens, dropping the least recently used", async () => {
    const cache = new TokenCache({ maxEntries: 2 });
    const far = Date.now() + 3_600_000;
    await cache.get("a", async () => token("a", far));
    await cache.get("b", async () => token("b", far));
    await cache.get("a", async () => token("a2", far)); // a used again: b is now the oldest
    await cache.get("c", async () => token("c", far));
    expect(cache.size).toBe(2);
    expect((await cache.get("a", async () => token("a3", far))).cached).toBe(true);
    expect((await cache.get("b", async () => token("b2", far))).cached).toBe(false);
  });

  it("forgets a token the API refused, and only that one", async () => {
    const cache = new TokenCache();
    const far = Date.now() + 3_600_000;
    const first = (await cache.get("k", async () => token("old", far))).token;
    cache.invalidate("k", token("someone-else", far));
    expect((await cache.get("k", async () => token("new", far))).token.accessToken).toBe("old");
    cache.invalidate("k", first);
    expect((await cache.get("k", async () => token("new", far))).token.accessToken).toBe("new");
  });

  it("does not keep a failed exchange: the next call tries again", async () => {
    const cache = new TokenCache();
    await cache.get("k", async () => token("stale", Date.now() + 30_000)); // inside the skew: not handed out again
    await expect(cache.get("k", async () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(cache.size).toBe(0); // the stale token went when the cache decided to exchange
    await expect(cache.get("k", async () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect((await cache.get("k", async () => token("ok", Date.now() + 3_600_000))).token.accessToken).toBe("ok");
  });
});
