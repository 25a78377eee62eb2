import type { ServerEvent, ServerEventBus } from "@modelcontextprotocol/server";
import { untilClosed } from "../events/listener-slots.ts";

/**
 * A 2025 session's standalone stream (its `GET`, MCP 2025-11-25 basic/transports §Listening for
 * Messages from the Server) follows the server's list-change bus while it is open: events
 * published by any isolate (a 2026-07-28 request's `notify`, the McpEventBus object) and the
 * server's event sources (a gateway's backends and rules) reach `onEvent`. Subscribed only while
 * the stream is open — a notification has nowhere else to go in a session — and released when it
 * ends, whichever side ends it (then `onClose` too: the listener's place in its subject's count).
 */
export function followWhileOpen(stream: Response, bus: ServerEventBus, onEvent: (event: ServerEvent) => void, onClose: () => void = () => undefined): Response {
  if (!stream.ok || stream.body === null) {
    onClose();
    return stream;
  }
  const unsubscribe = bus.subscribe(onEvent);
  return untilClosed(stream, () => {
    unsubscribe();
    onClose();
  });
}
