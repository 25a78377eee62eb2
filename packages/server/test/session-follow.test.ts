/**
 * session-follow.ts: a 2025 session's standalone stream follows the list-change bus only while it
 * is open. The real in-memory bus, observed through a wrapper that counts its subscribers.
 */
import { InMemoryServerEventBus, type ServerEvent, type ServerEventBus } from "@modelcontextprotocol/server";
import { describe, expect, it, vi } from "vitest";
import { followWhileOpen } from "../src/legacy/session-follow.ts";

function observedBus() {
  const bus = new InMemoryServerEventBus();
  const observed = { subscribers: 0 };
  const wrapper: ServerEventBus = {
    publish: (event) => bus.publish(event),
    subscribe(listener) {
      observed.subscribers++;
      const unsubscribe = bus.subscribe(listener);
      return () => {
        observed.subscribers--;
        unsubscribe();
      };
    },
  };
  return { bus: wrapper, observed };
}

function sseStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const source = { cancelled: false };
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c), cancel: () => void (source.cancelled = true) });
  return { response: new Response(body, { headers: { "content-type": "text/event-stream" } }), controller, source };
}

const TOOLS_CHANGED: ServerEvent = { kind: "tools_list_changed" };

describe("a 2025 session's stream following the list-change bus", () => {
  it("hears events while the stream is open, and lets go when the client goes away — the session's own stream is cancelled too", async () => {
    const { bus, observed } = observedBus();
    const { response, controller, source } = sseStream();
    const heard: ServerEvent[] = [];
    const followed = followWhileOpen(response, bus, (event) => heard.push(event));
    expect(followed.headers.get("content-type")).toBe("text/event-stream");
    expect(observed.subscribers).toBe(1);
    bus.publish(TOOLS_CHANGED);
    expect(heard).toEqual([TOOLS_CHANGED]);

    const reader = followed.body!.getReader();
    controller.enqueue(new TextEncoder().encode(": keep-alive\n\n"));
    expect((await reader.read()).done).toBe(false); // what the session writes still flows through
    await reader.cancel();
    await vi.waitFor(() => expect(observed.subscribers).toBe(0));
    // The SDK frees the session's one standalone stream only when its own stream is cancelled: a
    // client reconnecting would otherwise meet 409 (one SSE stream per session).
    await vi.waitFor(() => expect(source.cancelled).toBe(true));
    bus.publish(TOOLS_CHANGED);
    expect(heard).toHaveLength(1);
  });

  it("lets go when the session ends the stream (DELETE, eviction)", async () => {
    const { bus, observed } = observedBus();
    const { response, controller } = sseStream();
    const followed = followWhileOpen(response, bus, () => undefined);
    expect(observed.subscribers).toBe(1);
    controller.close();
    await followed.text();
    await vi.waitFor(() => expect(observed.subscribers).toBe(0));
  });

  it("passes a refusal through without following anything", () => {
    const { bus, observed } = observedBus();
    const refused = new Response("Method not allowed", { status: 405 });
    expect(followWhileOpen(refused, bus, () => undefined)).toBe(refused);
    expect(observed.subscribers).toBe(0);
  });
});
