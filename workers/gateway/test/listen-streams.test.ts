import { env, exports } from "cloudflare:workers";
import { createTokenFactory } from "@edge-mcp/testing";
import { describe, expect, inject, it } from "vitest";
import { RULES_KEY } from "../src/rules-store.ts";
import { rulesInForce } from "./helpers/rules-in-force.ts";

/**
 * The gateway's `subscriptions/listen` streams (MCP 2026-07-28), each a request of its own to the
 * real gateway worker. workerd ends the work a request started when that request ends (timers,
 * subrequests, stream reads): what feeds a stream — the rules poll, the backends' event streams —
 * must belong to that stream, never to whichever listener happened to come first.
 */
const RESOURCE = "https://gateway-mcp.example.test/mcp";
const token = createTokenFactory(inject("privateJwk"), { issuer: "https://tenant.example-auth.test/", audience: RESOURCE });
const rules = (aliceMay: string[]) => JSON.stringify({ rules: [{ name: "alice", when: { sub: "auth0|alice" }, allow: aliceMay }] });

function listenRequest(bearer: string, id: string | number = "listen"): Promise<Response> {
  return exports.default.fetch(new Request(RESOURCE, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "subscriptions/listen" },
    body: JSON.stringify({ jsonrpc: "2.0", id, method: "subscriptions/listen", params: { notifications: { toolsListChanged: true }, _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } }),
  }));
}

async function listen(bearer: string): Promise<{ next: (match: (m: { method?: string }) => boolean, timeoutMs: number) => Promise<boolean>; close: () => Promise<void> }> {
  const res = await listenRequest(bearer);
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const queue: Array<{ method?: string }> = [];
  return {
    async next(match, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const i = queue.findIndex(match);
        if (i !== -1) {
          queue.splice(0, i + 1); // taken, with what came before it
          return true;
        }
        const chunk = await Promise.race([reader.read(), new Promise<undefined>((r) => setTimeout(() => r(undefined), Math.max(0, deadline - Date.now())))]);
        if (chunk === undefined || chunk.done) return false;
        buffered += chunk.value;
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) if (line.startsWith("data:")) queue.push(JSON.parse(line.slice(5)) as { method?: string });
      }
    },
    close: () => reader.cancel().catch(() => undefined),
  };
}

describe("the gateway's listen streams", () => {
  it("keep hearing rules changes after the listener that came first goes away", async () => {
    await rulesInForce(JSON.parse(rules(["notes.*"])) as object);
    const bearer = await token({ sub: "auth0|alice" });
    const first = await listen(bearer);
    expect(await first.next((m) => m.method === "notifications/subscriptions/acknowledged", 5_000)).toBe(true);
    const second = await listen(bearer);
    expect(await second.next((m) => m.method === "notifications/subscriptions/acknowledged", 5_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 2_200)); // both polls have read the current rules (refresh: 2 s here)
    await first.close(); // its request ends, and with it everything that request started
    await new Promise((r) => setTimeout(r, 200));

    await env.GATEWAY_RULES.put(RULES_KEY, rules(["notes.whoami"]));
    expect(await second.next((m) => m.method === "notifications/tools/list_changed", 8_000)).toBe(true);
    await second.close();
    await env.GATEWAY_RULES.put(RULES_KEY, rules(["notes.*"]));
  });

  it("refuses to open a listen stream for a caller no rule matches: there is nothing for them to hear of (issue 23 finding 7)", async () => {
    await env.GATEWAY_RULES.put(RULES_KEY, rules(["notes.*"]));
    const refused = await listenRequest(await token({ sub: "auth0|nobody-knows-me" }), 77);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ id: 77, error: { code: -32600 } });
  });

  it("holds at most 10 open listeners per subject: the 11th is refused 429 until one closes", async () => {
    await env.GATEWAY_RULES.put(RULES_KEY, rules(["notes.*"]));
    await env.GATEWAY_RULES.put(RULES_KEY, JSON.stringify({ rules: [{ when: { sub: ["auth0|listener", "auth0|listener-too"] }, allow: ["notes.*"] }] }));
    const bearer = await token({ sub: "auth0|listener" });
    const open: Array<ReadableStreamDefaultReader<Uint8Array>> = [];
    // The gateway re-reads its rules every rulesRefreshMs: wait until these are in force.
    for (let i = 0; i < 100; i++) {
      const first = await listenRequest(bearer, "first");
      if (first.status === 200) {
        open.push(first.body!.getReader());
        break;
      }
      await first.body?.cancel();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(open).toHaveLength(1);
    for (let i = 1; i < 10; i++) {
      const res = await listenRequest(bearer, i);
      expect(res.status, await (res.status === 200 ? Promise.resolve("") : res.text())).toBe(200);
      open.push(res.body!.getReader());
    }
    const eleventh = await listenRequest(bearer, 11);
    expect(eleventh.status).toBe(429);
    expect(Number(eleventh.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await eleventh.json()).toMatchObject({ id: 11, error: { data: { code: "too_many_listeners" } } });
    // Another subject is not affected; one closing makes room (its place is freed as its stream ends).
    const other = await listenRequest(await token({ sub: "auth0|listener-too" }), 12);
    expect(other.status).toBe(200);
    await other.body?.cancel();
    await open.shift()!.cancel();
    let reopened: Response | undefined;
    for (let i = 0; i < 50; i++) {
      reopened = await listenRequest(bearer, 13);
      if (reopened.status === 200) break;
      await reopened.body?.cancel();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(reopened!.status).toBe(200);
    await reopened!.body?.cancel();
    await Promise.all(open.map((reader) => reader.cancel()));
  });
});
