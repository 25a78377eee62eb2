import type { ServerEvent, ServerEventBus } from "@modelcontextprotocol/server";
import type { CallerIdentity } from "../base/caller.ts";

/**
 * A feed of list-change events from outside this worker (a gateway's backends, a rules store):
 * runs once per listener (a `subscriptions/listen` stream, a 2025 session's stream) while it
 * listens, in that listener's request, calls `emit` per event, and stops when `signal` aborts. A
 * feed that ends or fails while its listener remains is started again after
 * `EVENT_SOURCE_RESTART_MS`. Made per listener (`eventSources(env, subscriber)`), so a feed may
 * depend on who listens.
 */
export type EventSource = (emit: (event: ServerEvent) => void, signal: AbortSignal) => Promise<void>;

/** Wait before restarting a feed that ended while its listener remains, in milliseconds. */
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
  if (signal?.aborted === true) return cancel(); // the listener left while the stream was being opened
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

/** Who listens: the verified caller of the listening request (its feeds may depend on it, e.g. a gateway's rules). */
export interface Subscriber {
  readonly caller: CallerIdentity;
  /** The claims of the caller's verified token (absent with auth disabled and from a gateway), for feeds that decide by them. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** A bus whose listeners may say who they are, so each runs the feeds meant for it. */
export interface SubscribableBus extends ServerEventBus {
  /** `subscribe` for a known listener: its feeds are `sourcesFor(subscriber)`. */
  subscribeAs(subscriber: Subscriber | undefined, listener: (event: ServerEvent) => void): () => void;
  /** The same bus, every subscription made as `subscriber` (what a listening request hands the SDK). */
  boundTo(subscriber: Subscriber): ServerEventBus;
}

/**
 * A bus whose listeners also hear the given feeds, each listener running its own.
 *
 * workerd ends what a request started (timers, subrequests, stream reads) when that request ends.
 * Feeds shared by an isolate's listeners would live in the request of whichever listener came
 * first, and stop — silently, for every other listener — when it left. So each listener runs its
 * own feeds, in the request that subscribed it, and they stop when it unsubscribes. A feed that
 * ends or fails while its listener remains is started again after `EVENT_SOURCE_RESTART_MS`. An
 * idle isolate holds no connections.
 */
export function withEventSources(bus: ServerEventBus, sourcesFor: (subscriber: Subscriber | undefined) => readonly EventSource[]): SubscribableBus {
  const run = (source: EventSource, emit: (event: ServerEvent) => void, signal: AbortSignal) => {
    void source(emit, signal)
      .catch(() => undefined)
      .finally(() => {
        if (!signal.aborted) setTimeout(() => signal.aborted || run(source, emit, signal), EVENT_SOURCE_RESTART_MS);
      });
  };
  const shared = bus as ServerEventBus & { publishNow?: (event: ServerEvent) => Promise<void> };
  const publishing = {
    publish: (event: ServerEvent) => bus.publish(event),
    ...(shared.publishNow === undefined ? {} : { publishNow: (event: ServerEvent) => shared.publishNow!(event) }),
  };
  const subscribeAs = (subscriber: Subscriber | undefined, listener: (event: ServerEvent) => void): (() => void) => {
    const unsubscribe = bus.subscribe(listener);
    const feeds = new AbortController();
    const emit = (event: ServerEvent) => isServerEventKind(event.kind) && listener(event);
    for (const source of sourcesFor(subscriber)) run(source, emit, feeds.signal);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      feeds.abort();
      unsubscribe();
    };
  };
  return {
    ...publishing,
    subscribe: (listener: (event: ServerEvent) => void) => subscribeAs(undefined, listener),
    subscribeAs,
    boundTo: (subscriber) => ({ ...publishing, subscribe: (listener: (event: ServerEvent) => void) => subscribeAs(subscriber, listener) }) as ServerEventBus,
  } as SubscribableBus;
}
