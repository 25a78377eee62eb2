import type { ServerEvent, ServerEventBus } from "@modelcontextprotocol/server";

/**
 * A feed of list-change events from outside this worker (a gateway's backends, a rules store):
 * runs while this isolate has `subscriptions/listen` streams open, calls `emit` per event, and
 * stops when `signal` aborts. A feed that ends or fails while listeners remain is started again
 * after `EVENT_SOURCE_RESTART_MS`.
 */
export type EventSource = (emit: (event: ServerEvent) => void, signal: AbortSignal) => Promise<void>;

/** Wait before restarting a feed that ended while listeners remain, in milliseconds. */
const EVENT_SOURCE_RESTART_MS = 1_000;

const EVENT_KINDS = new Set(["tools_list_changed", "prompts_list_changed", "resources_list_changed", "resource_updated"]);

/** A server event as it travels between workers: one JSON line, with an id so a publisher can skip its own echo. */
export interface EventEnvelope {
  readonly id: string;
  readonly event: ServerEvent;
}

export function isServerEventKind(kind: unknown): boolean {
  return EVENT_KINDS.has(kind as string);
}

function parseEnvelope(line: string): EventEnvelope | undefined {
  try {
    const envelope = JSON.parse(line) as EventEnvelope;
    return typeof envelope.id === "string" && isServerEventKind(envelope.event?.kind) ? envelope : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a stream of event envelopes (newline-delimited JSON, blank keep-alive lines) until it
 * ends or `signal` aborts; lines that are not envelopes are skipped.
 */
export async function readEventEnvelopes(body: ReadableStream<Uint8Array>, onEnvelope: (envelope: EventEnvelope) => void, signal?: AbortSignal): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener("abort", cancel);
  try {
    let buffered = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffered += value;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        const envelope = line.trim() === "" ? undefined : parseEnvelope(line);
        if (envelope !== undefined) onEnvelope(envelope);
      }
    }
  } finally {
    signal?.removeEventListener("abort", cancel);
  }
}

/**
 * A bus whose listeners also hear the given feeds. Feeds run only while someone listens (the
 * first subscriber starts them, the last one leaving stops them), so an idle isolate holds no
 * connections. Events from feeds go to this isolate's listeners only: every isolate with
 * listeners runs its own feeds.
 */
export function withEventSources(bus: ServerEventBus, sources: readonly EventSource[]): ServerEventBus {
  if (sources.length === 0) return bus;
  let listeners = 0;
  let running: AbortController | undefined;
  // Feed events stay in this isolate (every isolate with listeners runs the feeds itself).
  const local = bus as ServerEventBus & { deliverLocally?: (event: ServerEvent) => void };
  const deliver = (event: ServerEvent) => {
    if (!isServerEventKind(event.kind)) return;
    if (local.deliverLocally !== undefined) local.deliverLocally(event);
    else bus.publish(event);
  };
  const run = (source: EventSource, signal: AbortSignal) => {
    void source(deliver, signal)
      .catch(() => undefined)
      .finally(() => {
        if (!signal.aborted) setTimeout(() => signal.aborted || run(source, signal), EVENT_SOURCE_RESTART_MS);
      });
  };
  const shared = bus as ServerEventBus & { publishNow?: (event: ServerEvent) => Promise<void> };
  return {
    publish: (event: ServerEvent) => bus.publish(event),
    ...(shared.publishNow === undefined ? {} : { publishNow: (event: ServerEvent) => shared.publishNow!(event) }),
    subscribe(listener: (event: ServerEvent) => void): () => void {
      const unsubscribe = bus.subscribe(listener);
      listeners += 1;
      if (running === undefined) {
        running = new AbortController();
        for (const source of sources) run(source, running.signal);
      }
      let done = false;
      return () => {
        if (done) return;
        done = true;
        unsubscribe();
        listeners -= 1;
        if (listeners === 0) {
          running?.abort();
          running = undefined;
        }
      };
    },
  } as ServerEventBus;
}
