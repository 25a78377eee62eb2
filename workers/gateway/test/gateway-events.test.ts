import { describe, expect, it } from "vitest";
import { Catalog } from "../src/catalog.ts";
import { gatewayEventSources } from "../src/gateway-events.ts";
import { RulesStore } from "../src/rules-store.ts";

describe("what the gateway's listeners hear", () => {
  it("hears a rules change once, as changed tools, prompts and resources lists", async () => {
    const rules = new RulesStore({ rules: [], aliases: {} }, 0);
    let document: string | null = null;
    const kv = { get: async () => document };
    await rules.read(kv); // the baseline: the deployed rules
    const catalog = new Catalog({ timeoutMs: 100, maxCacheMs: 1_000, lister: { subject: "gw", clientId: "gw", scopes: [] } });
    const [poll] = gatewayEventSources(new Map(), catalog, rules, { GATEWAY_RULES: kv }, 10);
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
});
