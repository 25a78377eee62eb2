import { env, exports } from "cloudflare:workers";
import { createTokenFactory } from "@edge-mcp/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { beforeAll, describe, expect, inject, it, vi } from "vitest";
import { RULES_KEY } from "../src/rules-store.ts";
import { rulesInForce } from "./helpers/rules-in-force.ts";

/**
 * 2025 clients at the gateway: a session each (the gateway is stateful), served by the real
 * gateway worker and real service bindings to the stand-in backends (test/fixtures/stub-backends.ts).
 * A real MCP SDK 1.x client. The full fleet (elicitation and sampling rounds from real backends)
 * is in scripts/dev/test/gateway-fleet.test.ts.
 */
const RESOURCE = "https://gateway-mcp.example.test/mcp";
const token = createTokenFactory(inject("privateJwk"), { issuer: "https://tenant.example-auth.test/", audience: RESOURCE });

const rules = (aliceMay: string[]) => JSON.stringify({ rules: [{ name: "alice", when: { sub: "auth0|alice" }, allow: aliceMay }] });

async function legacyClient(bearer: string, capabilities: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const client = new Client({ name: "legacy", version: "1" }, { capabilities: capabilities as never });
  const transport = new StreamableHTTPClientTransport(new URL(RESOURCE), {
    fetch: (input, init) => exports.default.fetch(new Request(input, init)),
    requestInit: { headers: { authorization: `Bearer ${bearer}`, ...headers } },
  });
  await client.connect(transport);
  return { client, transport };
}

const textOf = (result: unknown) => (result as { content: Array<{ text: string }> }).content[0]!.text;

beforeAll(async () => {
  await rulesInForce(JSON.parse(rules(["notes.*"])) as object);
});

/** Reads SSE `data:` messages from a stream until one matches, or the deadline passes. */
async function readUntil(body: ReadableStream<Uint8Array>, match: (message: { method?: string }) => boolean, timeoutMs: number): Promise<boolean> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const deadline = Date.now() + timeoutMs;
  let buffered = "";
  try {
    while (Date.now() < deadline) {
      const chunk = await Promise.race([reader.read(), new Promise<undefined>((r) => setTimeout(() => r(undefined), Math.max(0, deadline - Date.now())))]);
      if (chunk === undefined || chunk.done) return false;
      buffered += chunk.value;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      if (lines.some((line) => line.startsWith("data:") && match(JSON.parse(line.slice(5)) as { method?: string }))) return true;
    }
    return false;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

describe("2025 clients at the gateway (a session each)", () => {
  it("tells a session whose stream opens after a rules change about it at once (no change goes unheard between initialize and the stream)", async () => {
    const bearer = await token({ sub: "auth0|alice" });
    const headers = { authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25" };
    const init = await exports.default.fetch(new Request(RESOURCE, { method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } }) }));
    const session = init.headers.get("mcp-session-id")!;
    await init.text();
    await env.GATEWAY_RULES.put(RULES_KEY, rules(["notes.whoami"]));
    await new Promise((r) => setTimeout(r, 2_200)); // past the rules refresh (2 s here): the change is there to be seen
    const stream = await exports.default.fetch(new Request(RESOURCE, { method: "GET", headers: { authorization: `Bearer ${bearer}`, accept: "text/event-stream", "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" } }));
    expect(stream.status).toBe(200);
    expect(await readUntil(stream.body!, (m) => m.method === "notifications/tools/list_changed", 3_000)).toBe(true);
    await env.GATEWAY_RULES.put(RULES_KEY, rules(["notes.*"]));
    await new Promise((r) => setTimeout(r, 2_200)); // the next test starts from these rules
  });

  it("streams a backend tool's progress to the session, and the client's cancellation cancels the backend's stream", async () => {
    const { client, transport } = await legacyClient(await token({ sub: "auth0|alice" }));
    expect(transport.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cancellations = async () => Number(textOf(await client.callTool({ name: "notes__cancellations", arguments: {} })));
    const before = await cancellations();
    expect(Number.isInteger(before)).toBe(true);
    const abort = new AbortController();
    let progressed!: () => void;
    const firstProgress = new Promise<void>((resolve) => (progressed = resolve));
    const call = client.callTool({ name: "notes__stream_until_cancelled", arguments: {} }, undefined, { signal: abort.signal, onprogress: () => progressed() });
    await firstProgress;
    abort.abort(); // the SDK sends notifications/cancelled (MCP 2025-11-25 basic/utilities/cancellation)
    await expect(call).rejects.toThrow();
    await vi.waitFor(async () => expect(await cancellations()).toBe(before + 1), { timeout: 5_000, interval: 50 });
    await client.close();
  });

  it("follows the rules within the session: a rules change reaches its stream as list_changed, and a tool taken away is unknown to its next call", async () => {
    const { client } = await legacyClient(await token({ sub: "auth0|alice" }));
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("notes__echo");
    expect(textOf(await client.callTool({ name: "notes__echo", arguments: { text: "before" } }))).toBe("before");

    await env.GATEWAY_RULES.put(RULES_KEY, rules(["notes.whoami"]));
    // Heard with no request of the session's own: its GET stream follows the rules poll (2 s here).
    await vi.waitFor(() => expect(changed).toBeGreaterThan(0), { timeout: 10_000, interval: 100 });
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["notes__whoami"]);
    // The same answer as for a tool that never existed (no existence leak), as on 2026-07-28.
    const denied = await client.callTool({ name: "notes__echo", arguments: { text: "after" } }).catch((error: { code?: number; message?: string }) => error);
    const unknown = await client.callTool({ name: "nothing__here", arguments: {} }).catch((error: { code?: number; message?: string }) => error);
    expect(denied).toMatchObject({ code: -32602 });
    expect((denied as { message: string }).message.replace("notes__echo", "X")).toBe((unknown as { message: string }).message.replace("nothing__here", "X"));
    await client.close();
    await env.GATEWAY_RULES.put(RULES_KEY, rules(["notes.*"]));
  });

  it("never tells a backend that a 2025 session's client takes tasks: the gateway serves none (issue 23 finding 5)", async () => {
    const { client } = await legacyClient(await token({ sub: "auth0|alice" }), { elicitation: {}, extensions: { "io.modelcontextprotocol/tasks": {}, "example.test/other": {} } });
    const seen = JSON.parse(textOf(await client.callTool({ name: "notes__whoami", arguments: {} }))) as { meta: Record<string, { extensions?: Record<string, unknown> }> };
    const told = seen.meta["io.modelcontextprotocol/clientCapabilities"]!;
    expect(told.extensions).toEqual({ "example.test/other": {} });
    await client.close();
  });

  it("passes a 2025 client's traceparent header on to the backend in _meta (one trace across the hop); a malformed one is not passed", async () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const traced = await legacyClient(await token({ sub: "auth0|alice" }), {}, { traceparent });
    const seen = JSON.parse(textOf(await traced.client.callTool({ name: "notes__whoami", arguments: {} }))) as { meta: Record<string, unknown> };
    expect(seen.meta.traceparent).toBe(traceparent);
    await traced.client.close();
    const malformed = await legacyClient(await token({ sub: "auth0|alice" }), {}, { traceparent: "00-not-a-trace-01" });
    const unseen = JSON.parse(textOf(await malformed.client.callTool({ name: "notes__whoami", arguments: {} }))) as { meta: Record<string, unknown> };
    expect(unseen.meta).not.toHaveProperty("traceparent");
    await malformed.client.close();
  });
});
