import type { EventId, EventStore, JSONRPCMessage, StreamId } from "@modelcontextprotocol/server";

/**
 * SSE resumability for one session (Streamable HTTP §"Resumability and Redelivery"): every
 * event sent on a stream gets an id; a client that lost its connection reconnects with GET +
 * `Last-Event-ID` and receives what it missed. Kept in the session object's memory, bounded —
 * reconnects come within seconds, and an open stream keeps the object alive meanwhile — so it
 * costs no storage writes. Lives inside the session object, so only the session's owner (the
 * binding is checked first) can ever replay it.
 */
export class SessionEventStore implements EventStore {
  readonly #events = new Map<EventId, { streamId: StreamId; message: JSONRPCMessage }>();
  readonly #maxEvents: number;
  #seq = 0;

  constructor(maxEvents: number) {
    this.#maxEvents = maxEvents;
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    this.#seq += 1;
    const id = `${streamId}_${String(this.#seq).padStart(10, "0")}`;
    this.#events.set(id, { streamId, message });
    while (this.#events.size > this.#maxEvents) {
      const oldest = this.#events.keys().next().value;
      if (oldest === undefined) break;
      this.#events.delete(oldest);
    }
    return id;
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return this.#events.get(eventId)?.streamId;
  }

  async replayEventsAfter(lastEventId: EventId, { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> }): Promise<StreamId> {
    const last = this.#events.get(lastEventId);
    if (last === undefined) return "";
    let after = false;
    for (const [id, event] of this.#events) {
      if (id === lastEventId) {
        after = true;
        continue;
      }
      if (after && event.streamId === last.streamId) await send(id, event.message);
    }
    return last.streamId;
  }
}
