/**
 * `subscriptions/listen` (MCP 2026-07-28): list changes reach listeners on any isolate, through
 * the McpEventBus Durable Object. Two env objects stand for two isolates: each gets its own
 * modern handler and bus, so only the shared object can carry the event from one to the other.
 */
import { env, exports } from "cloudflare:workers";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it, vi } from "vitest";
import { statelessWorker } from "./fixtures/test-worker.ts";
import { connect } from "./helpers/mcp.ts";
import { MODERN } from "./helpers/modern.ts";
import { RESOURCE, token } from "./helpers/tokens.ts";

const META = { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {} };

function modernRequest(bearer: string, method: string, params: Record<string, unknown>, name?: string, signal?: AbortSignal): Request {
  return new Request(RESOURCE, {
    method: "POST",
    ...(signal === undefined ? {} : { signal }),
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": MODERN, "mcp-method": method, ...(name === undefined ? {} : { "mcp-name": name }), authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: { ...params, _meta: META } }),
  });
}

function modern(isolate: object, bearer: string, method: string, params: Record<string, unknown>, name?: string, signal?: AbortSignal) {
  return statelessWorker.fetch(modernRequest(bearer, method, params, name, signal), isolate as never);
}

/** Reads SSE `data:` payloads until `until` matches one, or the deadline passes. */
async function readUntil(body: ReadableStream<Uint8Array>, until: (message: { method?: string }) => boolean, timeoutMs = 5_000) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const seen: Array<{ method?: string; params?: Record<string, unknown> }> = [];
  const deadline = Date.now() + timeoutMs;
  let buffered = "";
  while (Date.now() < deadline) {
    const chunk = await Promise.race([reader.read(), new Promise<undefined>((r) => setTimeout(() => r(undefined), deadline - Date.now()))]);
    if (chunk === undefined || chunk.done) break;
    buffered += chunk.value;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? ""; // a partial line waits for the next chunk; each complete line is read once
    for (const line of lines) {
      if (!line.startsWith("data:")) continue;
      const message = JSON.parse(line.slice(5)) as { method?: string; params?: Record<string, unknown> };
      seen.push(message);
      if (until(message)) {
        await reader.cancel().catch(() => undefined);
        return seen;
      }
    }
  }
  await reader.cancel().catch(() => undefined);
  return seen;
}

describe("subscriptions/listen across isolates", () => {
  it("delivers a tools list_changed published on one isolate to a listener on another", async () => {
    const listenerIsolate = { ...(env as object) };
    const publisherIsolate = { ...(env as object) };
    const bearer = await token();
    const abort = new AbortController();
    const listen = await modern(listenerIsolate, bearer, "subscriptions/listen", { notifications: { toolsListChanged: true } }, undefined, abort.signal);
    expect(listen.status).toBe(200);
    expect(listen.headers.get("content-type")).toContain("text/event-stream");
    const heard = readUntil(listen.body!, (m) => m.method === "notifications/tools/list_changed");
    await new Promise((r) => setTimeout(r, 300)); // the listener's isolate connects to the bus
    const trigger = await modern(publisherIsolate, bearer, "tools/call", { name: "announce_tools", arguments: {} }, "announce_tools");
    expect(await trigger.text()).toContain("announced");
    const messages = await heard;
    abort.abort();
    expect(messages[0]?.method).toBe("notifications/subscriptions/acknowledged");
    expect(messages.map((m) => m.method)).toContain("notifications/tools/list_changed");
  });

  it("delivers an event published on the listener's own isolate once, at once (not again when it echoes back)", async () => {
    const isolate = { ...(env as object) };
    const bearer = await token();
    const abort = new AbortController();
    const listen = await modern(isolate, bearer, "subscriptions/listen", { notifications: { toolsListChanged: true } }, undefined, abort.signal);
    const heard = readUntil(listen.body!, () => false, 1_500);
    await new Promise((r) => setTimeout(r, 300));
    await (await modern(isolate, bearer, "tools/call", { name: "announce_tools", arguments: {} }, "announce_tools")).text();
    const messages = await heard;
    abort.abort();
    expect(messages.filter((m) => m.method === "notifications/tools/list_changed")).toHaveLength(1);
  });

  it("tells a 2025 session's open stream of a list change published by a 2026-07-28 request", async () => {
    const bearer = await token();
    const { client } = await connect("stateful", { token: bearer }); // with its standalone GET stream
    let heard = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void heard++);
    await new Promise((r) => setTimeout(r, 300)); // the session's stream connects to the bus
    await (await modern({ ...(env as object) }, bearer, "tools/call", { name: "announce_tools", arguments: {} }, "announce_tools")).text();
    await vi.waitFor(() => expect(heard).toBe(1), { timeout: 5_000 });
    await client.close();
  });

  it("keeps delivering to a listen stream after the stream whose request connected first goes away (workerd ends a request's I/O with it)", async () => {
    const bearer = await token();
    // Two listen streams on this isolate, each a request of its own.
    const first = new AbortController();
    const second = new AbortController();
    const firstListen = await exports.default.fetch(modernRequest(bearer, "subscriptions/listen", { notifications: { toolsListChanged: true } }, undefined, first.signal));
    const secondListen = await exports.default.fetch(modernRequest(bearer, "subscriptions/listen", { notifications: { toolsListChanged: true } }, undefined, second.signal));
    expect(firstListen.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300)); // both connect to the bus
    first.abort();
    await firstListen.body!.cancel().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    // Published on another isolate: it can only arrive through this isolate's connection to the bus object.
    await (await modern({ ...(env as object) }, bearer, "tools/call", { name: "announce_tools", arguments: {} }, "announce_tools")).text();
    const seen = await readUntil(secondListen.body!, (m) => m.method === "notifications/tools/list_changed", 3_000);
    second.abort();
    expect(seen.filter((m) => m.method === "notifications/tools/list_changed")).toHaveLength(1);
  });
});
