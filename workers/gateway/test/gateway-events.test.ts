import { describe, expect, it } from "vitest";
import type { BackendTarget } from "../src/backend-target.ts";
import { Catalog } from "../src/catalog.ts";
import { gatewayEventSources } from "../src/gateway-events.ts";
import { RulesStore } from "../src/rules-store.ts";

const BOB = { subject: "dev|bob", scopes: ["tools.read"] };

describe("what the gateway's listeners hear", () => {
  it("hears a rules change once, as changed tools, prompts and resources lists", async () => {
    const rules = new RulesStore({ rules: [], aliases: {} }, 0);
    let document: string | null = null;
    const kv = { get: async () => document };
    await rules.read(kv); // the baseline: the deployed rules
    const catalog = new Catalog({ timeoutMs: 100, maxCacheMs: 1_000, lister: { subject: "gw", clientId: "gw", scopes: [] } });
    const [poll] = gatewayEventSources(new Map(), catalog, rules, { GATEWAY_RULES: kv }, 10, BOB);
    const heard: string[] = [];
    const stop = new AbortController();
    const running = poll!((event) => heard.push(event.kind), stop.signal);
    document = JSON.stringify({ rules: [{ when: { sub: "dev|bob" }, allow: ["hello.*"] }] });
    for (let i = 0; i < 100 && heard.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50)); // and nothing more after the first announcement
    stop.abort();
    await running;
    expect(heard).toEqual(["tools_list_changed", "prompts_list_changed", "resources_list_changed"]);
  });

  it("hears a rules change on every bus of the isolate, even when a request's setup noticed it first", async () => {
    const rules = new RulesStore({ rules: [], aliases: {} }, 0);
    let document: string | null = null;
    const kv = { get: async () => document };
    const catalog = new Catalog({ timeoutMs: 100, maxCacheMs: 1_000, lister: { subject: "gw", clientId: "gw", scopes: [] } });
    const stop = new AbortController();
    const heard = { listeners: 0, session: 0 };
    // Two feeds on one store: the 2026-07-28 listeners' bus and a 2025 session stream's.
    const runs = (["listeners", "session"] as const).map((who) => gatewayEventSources(new Map(), catalog, rules, { GATEWAY_RULES: kv }, 10, BOB)[0]!((event) => void (event.kind === "tools_list_changed" && heard[who]++), stop.signal));
    await new Promise((r) => setTimeout(r, 30));
    document = JSON.stringify({ rules: [{ when: { sub: "dev|bob" }, allow: ["hello.*"] }] });
    const { changed, snapshot } = await rules.read(kv); // a request's setup sees it first and announces it
    expect(changed).toBe(true);
    rules.announced(snapshot.version);
    for (let i = 0; i < 100 && (heard.listeners < 1 || heard.session < 1); i++) await new Promise((r) => setTimeout(r, 10));
    stop.abort();
    await Promise.all(runs);
    expect(heard).toEqual({ listeners: 1, session: 1 });
  });

  it("tells listeners to list again when a backend's tools arrive after a listing left it out for being slow", async () => {
    let answer: (() => void) | undefined;
    const slow: BackendTarget = {
      name: "slow",
      kind: "service",
      // Answers tools/list only when the test says so: after the listing's 50 ms timeout.
      send: (request) => new Promise((resolve) => {
        answer = () => void request.json<{ id: number }>().then((body) => resolve(Response.json({ jsonrpc: "2.0", id: body.id, result: { tools: [{ name: "late_tool", inputSchema: { type: "object" } }], ttlMs: 60_000, resultType: "complete" } })));
      }),
    };
    const caller = { subject: "dev|bob", clientId: "cli", scopes: ["tools.read"] };
    const catalog = new Catalog({ timeoutMs: 50, maxCacheMs: 60_000, lister: caller });
    const sources = gatewayEventSources(new Map(), catalog, new RulesStore({ rules: [{ when: { sub: "dev|bob" }, allow: ["slow.*"] }], aliases: {} }, 60_000), {}, 60_000, BOB);
    const heard: string[] = [];
    const stop = new AbortController();
    const running = Promise.all(sources.map((source) => source((event) => heard.push(event.kind), stop.signal)));

    const first = await catalog.toolsOf([slow], caller);
    expect(first.has("slow")).toBe(false); // left out: it missed the timeout
    expect(catalog.health("slow").status).toBe("timeout");
    expect(heard).toEqual([]);
    answer!();
    for (let i = 0; i < 100 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(heard).toEqual(["tools_list_changed"]);
    // …and the next listing has its tools, from the cache the late answer filled.
    expect((await catalog.toolsOf([slow], caller)).get("slow")?.map((t) => t.name)).toEqual(["late_tool"]);
    expect(catalog.health("slow").status).toBe("ok");
    stop.abort();
    await running;
    // A listener that left hears nothing more.
    catalog.invalidate("slow");
    const again = catalog.toolsOf([slow], caller);
    await new Promise((r) => setTimeout(r, 80));
    answer!();
    await again;
    await new Promise((r) => setTimeout(r, 20));
    expect(heard).toEqual(["tools_list_changed"]);
  });

  it("follows only the backends the listener's rules reach, and passes on only the kinds of change they reach (issue 23 finding 7)", async () => {
    const opened: string[] = [];
    const feeds = new Map<string, WritableStreamDefaultWriter<Uint8Array>>();
    const backend = (name: string): BackendTarget => ({
      name,
      kind: "service",
      send: () => Promise.reject(new Error("not used")),
      events: async () => {
        opened.push(name);
        const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
        feeds.set(name, writable.getWriter());
        return new Response(readable);
      },
    });
    const targets = new Map([["hello", backend("hello")], ["conformance", backend("conformance")]]);
    const rules = new RulesStore({ rules: [{ when: { sub: "dev|bob" }, allow: ["hello.*"], resources: ["hello.*"] }], aliases: {} }, 60_000);
    const catalog = new Catalog({ timeoutMs: 100, maxCacheMs: 1_000, lister: { subject: "gw", clientId: "gw", scopes: [] } });
    const heard: string[] = [];
    const stop = new AbortController();
    const running = Promise.all(gatewayEventSources(targets, catalog, rules, {}, 60_000, BOB).map((source) => source((event) => heard.push(event.kind), stop.signal)));
    for (let i = 0; i < 100 && feeds.size < 1; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    expect(opened).toEqual(["hello"]); // conformance: nothing of it is bob's, so it is not followed
    const say = (kind: string) => feeds.get("hello")!.write(new TextEncoder().encode(`${JSON.stringify({ id: crypto.randomUUID(), event: { kind } })}\n`));
    await say("prompts_list_changed"); // bob's rules give him no prompt of hello
    await say("tools_list_changed");
    await say("resources_list_changed");
    for (let i = 0; i < 100 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    expect(heard).toEqual(["tools_list_changed", "resources_list_changed"]);
    stop.abort();
    await running;
  });

  it("starts following a backend once a rules change gives the listener something of it (no need to listen again)", async () => {
    const opened: string[] = [];
    const target: BackendTarget = { name: "conformance", kind: "service", send: () => Promise.reject(new Error("not used")), events: async () => (opened.push("conformance"), new Response(new ReadableStream())) };
    let document: string | null = null;
    const kv = { get: async () => document };
    const rules = new RulesStore({ rules: [{ when: { sub: "dev|bob" }, allow: ["hello.*"] }], aliases: {} }, 0);
    const catalog = new Catalog({ timeoutMs: 100, maxCacheMs: 1_000, lister: { subject: "gw", clientId: "gw", scopes: [] } });
    const stop = new AbortController();
    const [feed] = gatewayEventSources(new Map([["conformance", target]]), catalog, rules, { GATEWAY_RULES: kv }, 10, BOB);
    const running = feed!(() => undefined, stop.signal);
    await new Promise((r) => setTimeout(r, 50));
    expect(opened).toEqual([]);
    document = JSON.stringify({ rules: [{ when: { sub: "dev|bob" }, allow: ["conformance.*"] }] });
    for (let i = 0; i < 100 && opened.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(opened).toEqual(["conformance"]);
    stop.abort();
    await running;
  });
});
