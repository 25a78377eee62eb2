import { env, exports } from "cloudflare:workers";
import { createTokenFactory } from "@edge-mcp/testing";
import { describe, expect, inject, it } from "vitest";
import { RULES_KEY } from "../src/rules-store.ts";

/**
 * The gateway's `subscriptions/listen` streams (MCP 2026-07-28), each a request of its own to the
 * real gateway worker. workerd ends the work a request started when that request ends (timers,
 * subrequests, stream reads): what feeds a stream — the rules poll, the backends' event streams —
 * must belong to that stream, never to whichever listener happened to come first.
 */
const RESOURCE = "https://gateway-mcp.example.test/mcp";
const token = createTokenFactory(inject("privateJwk"), { issuer: "https://tenant.example-auth.test/", audience: RESOURCE });
const rules = (aliceMay: string[]) => JSON.stringify({ rules: [{ name: "alice", when: { sub: "auth0|alice" }, allow: aliceMay }] });

async function listen(bearer: string): Promise<{ next: (match: (m: { method?: string }) => boolean, timeoutMs: number) => Promise<boolean>; close: () => Promise<void> }> {
  const res = await exports.default.fetch(new Request(RESOURCE, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "subscriptions/listen" },
    body: JSON.stringify({ jsonrpc: "2.0", id: "listen", method: "subscriptions/listen", params: { notifications: { toolsListChanged: true }, _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } }),
  }));
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
    await env.GATEWAY_RULES.put(RULES_KEY, rules(["notes.*"]));
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
});
