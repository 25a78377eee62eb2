import { env } from "cloudflare:workers";
import type { GatewayRules } from "@edge-mcp/config";
import { describe, expect, it } from "vitest";
import { RULES_KEY, RulesStore } from "../src/rules-store.ts";

const bundled: GatewayRules = { aliases: {}, rules: [{ when: { sub: "dev|alice" }, allow: ["hello.*"] }] };
const pushed: GatewayRules = { aliases: {}, rules: [{ when: { sub: "dev|bob" }, allow: ["notes.*"] }] };

/** A store with a clock the test moves. */
function storeAt(refreshMs = 1_000) {
  let now = 1_000_000;
  return { store: new RulesStore(bundled, refreshMs, () => now), advance: (ms: number) => (now += ms) };
}

describe("gateway rules store (KV)", () => {
  it("uses the deployed rules while KV holds none", async () => {
    await env.GATEWAY_RULES.delete(RULES_KEY);
    const { store } = storeAt();
    const { snapshot, changed } = await store.read(env.GATEWAY_RULES);
    expect(snapshot.rules).toEqual(bundled);
    expect(changed).toBe(false);
  });

  it("picks up rules pushed to KV after its refresh interval, and says they changed until the change is announced", async () => {
    await env.GATEWAY_RULES.delete(RULES_KEY);
    const { store, advance } = storeAt(1_000);
    await store.read(env.GATEWAY_RULES);
    await env.GATEWAY_RULES.put(RULES_KEY, JSON.stringify(pushed));
    expect((await store.read(env.GATEWAY_RULES)).snapshot.rules).toEqual(bundled); // within the interval
    advance(1_000);
    const next = await store.read(env.GATEWAY_RULES);
    expect(next.snapshot.rules).toEqual(pushed);
    expect(next.changed).toBe(true);
    expect((await store.read(env.GATEWAY_RULES)).changed).toBe(true); // nobody told the listeners yet
    store.announced(next.snapshot.version);
    advance(1_000);
    expect((await store.read(env.GATEWAY_RULES)).changed).toBe(false);
  });

  it("never widens access on an invalid document: keeps the last valid rules", async () => {
    await env.GATEWAY_RULES.put(RULES_KEY, JSON.stringify(pushed));
    const { store, advance } = storeAt();
    await store.read(env.GATEWAY_RULES);
    await env.GATEWAY_RULES.put(RULES_KEY, JSON.stringify({ rules: [{ when: {}, allow: ["*"] }] }));
    advance(1_000);
    expect((await store.read(env.GATEWAY_RULES)).snapshot.rules).toEqual(pushed);
  });

  it("lets nobody in when the first document it sees is invalid", async () => {
    await env.GATEWAY_RULES.put(RULES_KEY, "{ not json");
    const { store } = storeAt();
    expect((await store.read(env.GATEWAY_RULES)).snapshot.rules.rules).toEqual([]);
  });

  it("keeps the rules last read while KV cannot be read, reading again after the refresh interval", async () => {
    let failing = false;
    let document: string | null = JSON.stringify(pushed);
    const kv = { get: async () => (failing ? Promise.reject(new Error("KV GET failed: 503")) : document) };
    const { store, advance } = storeAt(1_000);
    expect((await store.read(kv)).snapshot.rules).toEqual(pushed);
    failing = true;
    document = JSON.stringify(bundled);
    advance(1_000);
    const during = await store.read(kv);
    expect(during.snapshot.rules).toEqual(pushed);
    expect(during.changed).toBe(false);
    failing = false;
    expect((await store.read(kv)).snapshot.rules).toEqual(pushed); // not before the interval
    advance(1_000);
    const after = await store.read(kv);
    expect(after.snapshot.rules).toEqual(bundled);
    expect(after.changed).toBe(true);
  });

  it("fails closed when KV cannot be read and no rules were read yet: never the deployed rules instead", async () => {
    const kv = { get: async (): Promise<string | null> => Promise.reject(new Error("KV GET failed: 503")) };
    const { store } = storeAt();
    await expect(store.read(kv)).rejects.toThrow("KV GET failed: 503");
  });

  it("never makes a read wait on another request's KV read: one that never answers (its request was cancelled) holds up nothing", async () => {
    await env.GATEWAY_RULES.put(RULES_KEY, JSON.stringify(pushed));
    const { store, advance } = storeAt(1_000);
    await store.read(env.GATEWAY_RULES);
    advance(1_000);
    // workerd ends a request's I/O with the request: its KV read then never settles.
    const abandoned = { get: () => new Promise<string | null>(() => undefined) };
    void store.read(abandoned);
    const next = await Promise.race([store.read(env.GATEWAY_RULES), new Promise<"held up">((r) => setTimeout(() => r("held up"), 2_000))]);
    expect(next).not.toBe("held up");
    expect((next as { snapshot: { rules: GatewayRules } }).snapshot.rules).toEqual(pushed);
  });

  it("keeps the newest of reads that finish out of order", async () => {
    const { store, advance } = storeAt(1_000);
    await store.read({ get: async () => JSON.stringify(bundled) });
    advance(1_000);
    let answerOld!: (text: string) => void;
    const older = store.read({ get: () => new Promise<string>((r) => (answerOld = r)) });
    const newer = await store.read({ get: async () => JSON.stringify(pushed) });
    expect(newer.snapshot.rules).toEqual(pushed);
    answerOld(JSON.stringify(bundled)); // the earlier read's answer arrives last: older than what is held
    await older;
    expect((await store.read(env.GATEWAY_RULES)).snapshot.rules).toEqual(pushed);
  });
});
