import { describe, expect, it } from "vitest";
import { Catalog } from "../src/catalog.ts";
import type { OfferedTool } from "../src/gateway-tools.ts";
import { policyFor } from "../src/policy.ts";
import { RouteCache } from "../src/route-cache.ts";

const lister = { subject: "gw", clientId: "gw", scopes: ["tools.read"] };
const alice = { subject: "auth0|alice", clientId: "claude", scopes: ["tools.read"] };
const rules = { aliases: {}, rules: [{ when: { sub: "auth0|alice" }, allow: ["notes.*"] }] };
const table = new Map<string, OfferedTool>([["notes__echo", {} as OfferedTool]]);

function setup() {
  let now = 1_000;
  const catalog = new Catalog({ timeoutMs: 100, maxCacheMs: 60_000, lister });
  const cache = new RouteCache(catalog, () => now);
  const key = cache.keyFor("v1", alice, policyFor(rules, alice));
  return { catalog, cache, key, advance: (ms: number) => (now += ms) };
}

describe("the call path's per-caller tool tables", () => {
  it("reuses a table until a backend list changes", () => {
    const { catalog, cache, key } = setup();
    cache.set(key, table, catalog.generation, true);
    expect(cache.get(key)).toBe(table);
    catalog.invalidate("notes");
    expect(cache.get(key)).toBeUndefined();
  });

  it("keeps a table at most a second", () => {
    const { catalog, cache, key, advance } = setup();
    cache.set(key, table, catalog.generation, true);
    advance(999);
    expect(cache.get(key)).toBe(table);
    advance(1);
    expect(cache.get(key)).toBeUndefined();
  });

  it("never keeps a table built while a backend was missing, or from lists that changed meanwhile", () => {
    const { catalog, cache, key } = setup();
    cache.set(key, table, catalog.generation, false);
    expect(cache.get(key)).toBeUndefined();
    const before = catalog.generation;
    catalog.invalidate("hello");
    cache.set(key, table, before, true);
    expect(cache.get(key)).toBeUndefined();
  });

  it("tells apart two rules that share a name (keys by position, not by name)", () => {
    const { cache } = setup();
    const twins = {
      aliases: {},
      rules: [
        { name: "x", when: { claim: { name: "roles", includes: "reader" } }, allow: ["notes.*"] },
        { name: "x", when: { claim: { name: "roles", includes: "greeter" } }, allow: ["hello.*"] },
      ],
    };
    const reader = policyFor(twins, { ...alice, claims: { roles: ["reader"] } });
    const greeter = policyFor(twins, { ...alice, claims: { roles: ["greeter"] } });
    expect(reader.matched).toEqual(greeter.matched); // same names…
    expect(cache.keyFor("v1", alice, reader)).not.toBe(cache.keyFor("v1", alice, greeter)); // …different tables
  });

  it("keys tables by rules version, caller, matching rules and scopes", () => {
    const { cache } = setup();
    const policy = policyFor(rules, alice);
    const keys = new Set([
      cache.keyFor("v1", alice, policy),
      cache.keyFor("v2", alice, policy),
      cache.keyFor("v1", { ...alice, clientId: "cursor" }, policy),
      cache.keyFor("v1", alice, policyFor(rules, { ...alice, scopes: ["tools.read", "tools.write"] })),
      cache.keyFor("v1", { ...alice, subject: "auth0|bob" }, policyFor(rules, { ...alice, subject: "auth0|bob" })),
    ]);
    expect(keys.size).toBe(5);
  });
});
