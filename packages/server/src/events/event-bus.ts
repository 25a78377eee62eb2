import { DurableObject } from "cloudflare:workers";
import { InMemoryServerEventBus, type ServerEvent, type ServerEventBus } from "@modelcontextprotocol/server";
import { readConfig } from "../base/config.ts";
import { isServerEventKind, readEventEnvelopes, type EventEnvelope as Envelope } from "./event-sources.ts";

/** The Durable Object binding a worker declares to share list changes across isolates. */
export const EVENT_BUS_BINDING = "MCP_EVENTS";

/** Wait before reconnecting to a bus object that dropped the connection, in milliseconds. */
const RECONNECT_DELAY_MS = 1_000;

/** How many ids of events this isolate published (and delivered locally) it remembers, to skip their echoes. */
const MAX_PENDING_ECHOES = 1_000;

/**
 * The fleet-wide side of `subscriptions/listen` (MCP 2026-07-28): one object per server
 * (`idFromName("events")`) that every isolate with open listen streams stays connected to.
 * `publish` (RPC) writes the event, as one JSON line, to every connected isolate; each isolate
 * re-publishes it to its own listen streams. Keep-alive lines keep idle connections open; a
 * connection that fails to take a write is dropped.
 */
export class McpEventBus extends DurableObject {
  readonly #subscribers = new Set<WritableStreamDefaultWriter<Uint8Array>>();
  #keepAlive: ReturnType<typeof setInterval> | undefined;

  override fetch(): Response {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    this.#subscribers.add(writer);
    this.#keepAlive ??= setInterval(() => void this.#broadcast("\n"), readConfig(this.env as object).sseKeepAliveMs);
    void writer.closed.catch(() => undefined).finally(() => this.#drop(writer));
    return new Response(readable, { headers: { "content-type": "application/x-ndjson", "cache-control": "no-store" } });
  }

  async publish(envelope: Envelope): Promise<number> {
    if (typeof envelope?.id !== "string" || !isServerEventKind(envelope.event?.kind)) throw new TypeError("not a server event");
    return this.#broadcast(`${JSON.stringify({ id: envelope.id, event: envelope.event })}\n`);
  }

  async #broadcast(line: string): Promise<number> {
    const bytes = new TextEncoder().encode(line);
    const writes = [...this.#subscribers].map((writer) => writer.write(bytes).then(() => true, () => (this.#drop(writer), false)));
    return (await Promise.all(writes)).filter(Boolean).length;
  }

  #drop(writer: WritableStreamDefaultWriter<Uint8Array>): void {
    this.#subscribers.delete(writer);
    void writer.abort().catch(() => undefined);
    if (this.#subscribers.size === 0 && this.#keepAlive !== undefined) {
      clearInterval(this.#keepAlive);
      this.#keepAlive = undefined;
    }
  }
}

interface EventBusStub {
  fetch(input: string): Promise<Response>;
  publish(envelope: Envelope): Promise<number>;
}

/**
 * A `ServerEventBus` for one isolate: its listen streams subscribe locally, and each subscription
 * keeps its own connection to the `McpEventBus` object, opened in the subscriber's request — a
 * connection shared by the isolate would belong to whichever request opened it and end with it
 * (workerd ends a request's I/O with the request). An event published here is delivered to this
 * isolate's listeners at once and sent through the object to every connection; its echo back to
 * this isolate is recognised by id and skipped, so each listener hears it once.
 */
export class DurableObjectEventBus implements ServerEventBus {
  readonly #local = new InMemoryServerEventBus();
  readonly #namespace: DurableObjectNamespace;
  /** Ids this isolate published and delivered locally (the last `MAX_PENDING_ECHOES`). */
  readonly #echoes = new Set<string>();
  #listeners = 0;
  /** Resolves once the latest subscription's connection to the bus object is open (tests and publishers may await it). */
  ready: Promise<void> = Promise.resolve();

  constructor(namespace: DurableObjectNamespace) {
    this.#namespace = namespace;
  }

  publish(event: ServerEvent): void {
    void this.publishNow(event);
  }

  /** Publishes and waits until the bus object has written the event to every connection. */
  async publishNow(event: ServerEvent): Promise<void> {
    const id = crypto.randomUUID();
    if (this.#listeners > 0) {
      this.#echoes.add(id);
      while (this.#echoes.size > MAX_PENDING_ECHOES) this.#echoes.delete(this.#echoes.values().next().value!);
      this.#local.publish(event);
    }
    await this.#stub().publish({ id, event });
  }

  /**
   * A stub for this request: a Durable Object stub is an I/O object of the request that made it,
   * and workerd refuses its use from another request ("Cannot perform I/O on behalf of a
   * different request"), while this bus lives as long as the isolate.
   */
  #stub(): EventBusStub {
    return this.#namespace.get(this.#namespace.idFromName("events")) as unknown as EventBusStub;
  }

  subscribe(listener: (event: ServerEvent) => void): () => void {
    const unsubscribe = this.#local.subscribe(listener);
    this.#listeners += 1;
    const connection = new AbortController();
    this.#connect(listener, connection.signal);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      unsubscribe();
      this.#listeners -= 1;
      connection.abort();
    };
  }

  #connect(listener: (event: ServerEvent) => void, signal: AbortSignal): void {
    let opened!: () => void;
    this.ready = new Promise<void>((resolve) => (opened = resolve));
    void (async () => {
      try {
        const response = await this.#stub().fetch("https://events.internal/subscribe");
        opened();
        await readEventEnvelopes(response.body!, (envelope) => {
          if (!this.#echoes.has(envelope.id)) listener(envelope.event); // else ours, already delivered here
        }, signal);
      } catch {
        opened();
      } finally {
        // Dropped while its listener remains (the object restarted): connect again.
        if (!signal.aborted) setTimeout(() => signal.aborted || this.#connect(listener, signal), RECONNECT_DELAY_MS);
      }
    })();
  }
}
