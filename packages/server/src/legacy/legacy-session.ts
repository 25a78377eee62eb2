import { WebStandardStreamableHTTPServerTransport, type McpServer, type ServerEvent } from "@modelcontextprotocol/server";
import { isAuthFailure } from "@edge-mcp/auth";
import { buildServer, type ServerIdentity } from "../mcp/build-server.ts";
import { CALLER_HEADER, claimsOf, decodeCaller, toAuthInfo, type CallerIdentity } from "../base/caller.ts";
import { SUBJECT_TOKEN_HEADER, withSubjectToken } from "../apis/subject-token.ts";
import { readConfig } from "../base/config.ts";
import { SERVER_DEFAULTS } from "../base/defaults.ts";
import { isServerFailure, SessionNotFoundError } from "../base/errors.ts";
import { checkBeforeDispatch } from "../policy/dispatch-checks.ts";
import { errorResponse, type RpcId } from "../http/error-response.ts";
import type { ToolScopes } from "../policy/method-scopes.ts";
import { bindingFor, isBoundTo, type SessionBinding } from "../base/session-binding.ts";
import { challengeFor } from "../http/challenge.ts";
import { parseMessages } from "../http/jsonrpc.ts";
import { hashSessionId } from "../policy/audit.ts";
import type { SubscribableBus } from "../events/event-sources.ts";
import { acquireListenerSlot } from "../events/listener-slots.ts";
import { isListChange, LIST_CHANGES, sendListChanged } from "../events/list-changes.ts";
import { toolStorage } from "../mcp/session-storage.ts";
import { registryName, sessionNamespaceOf, sessionRpc } from "../base/session-registry.ts";
import { SessionEventStore } from "./session-event-store.ts";
import { followWhileOpen } from "./session-follow.ts";
import { NEW_SESSION_HEADER, RPC_ID_HEADER } from "./legacy-sessions.ts";

function rpcIdFromHeader(value: string | null): RpcId {
  if (value === null) return null;
  try {
    const id: unknown = JSON.parse(value);
    return typeof id === "string" || typeof id === "number" ? id : null;
  } catch {
    return null;
  }
}

/** Storage keys of a session object (SQLite-backed Durable Object storage). */
const KEY = { binding: "binding", init: "init", sessionId: "sessionId", lastSeen: "lastSeen" } as const;

/** lastSeen is written at most this often, in ms: eviction needs minutes of precision, not a write per call. */
const TOUCH_INTERVAL_MS = 30_000;

interface Live {
  readonly server: McpServer;
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly toolScopes: ToolScopes;
  /** sessionSetup "per-request": setup again for a request's caller. */
  readonly refresh?: (caller: CallerIdentity) => Promise<void>;
}

/** What a 2025 session needs from the Durable Object that hosts it. */
export interface LegacySessionHost<Env> {
  readonly identity: ServerIdentity<Env>;
  readonly scopesSupported: readonly string[];
  readonly env: Env;
  readonly storage: DurableObjectStorage;
  /** This isolate's list-change bus (what the session's standing stream follows). */
  readonly busFor: (env: Env) => SubscribableBus;
}

/**
 * The 2025 session role of a session object: the SDK's web-standard transport for one MCP session.
 *
 * - bound at `initialize` to the caller's `sub` + client id; any other caller gets 404 and
 *   nothing is read beyond the binding or written (session-binding.ts);
 * - every request brings its own verified caller, handed to handlers as `authInfo` — never
 *   frozen at session start, so refreshed scopes apply at once;
 * - after eviction or restart the server is rebuilt by replaying the stored `initialize`
 *   (restoring the client's capabilities), so the session continues transparently;
 * - an alarm evicts the session after `SESSION_IDLE_TIMEOUT_S` idle and deletes its storage;
 *   `DELETE /mcp` does the same at once.
 */
export class LegacySession<Env extends object> {
  readonly #identity: ServerIdentity<Env>;
  readonly #scopesSupported: readonly string[];
  readonly #env: Env;
  readonly #storage: DurableObjectStorage;
  readonly #busFor: (env: Env) => SubscribableBus;
  #live: Promise<Live> | undefined;
  #lastTouch = 0;
  /** The caller of the session's latest request: whom per-request setup runs for when a change is heard. */
  #caller: CallerIdentity | undefined;
  /** Rebuilt from storage and not yet told the client its lists may have changed. */
  #restored = false;

  constructor(host: LegacySessionHost<Env>) {
    this.#identity = host.identity;
    this.#scopesSupported = host.scopesSupported;
    this.#env = host.env;
    this.#storage = host.storage;
    this.#busFor = host.busFor;
  }

  async fetch(incoming: Request): Promise<Response> {
    const config = readConfig(this.#env);
    const caller = decodeCaller(incoming.headers.get(CALLER_HEADER), { claims: true });
    if (caller === undefined) return new Response("Forbidden", { status: 403 });
    // The caller's token, if the Worker sent it for token exchanges: kept in this request's context, out of what the SDK and tools see.
    const subjectToken = incoming.headers.get(SUBJECT_TOKEN_HEADER) ?? undefined;
    const headers = new Headers(incoming.headers);
    headers.delete(SUBJECT_TOKEN_HEADER);
    const request = subjectToken === undefined ? incoming : new Request(incoming, { headers });
    return withSubjectToken(subjectToken, () => this.#serve(request, caller, config));
  }

  async #serve(request: Request, caller: CallerIdentity, config: ReturnType<typeof readConfig>): Promise<Response> {
    try {
      const newSessionId = request.headers.get(NEW_SESSION_HEADER);
      return newSessionId === null ? await this.#continue(request, caller) : await this.#initialize(request, caller, newSessionId, config.sessionIdleTimeoutSeconds);
    } catch (error) {
      // The Worker read the body first and sent the request's id along (RPC_ID_HEADER).
      if (isServerFailure(error) || isAuthFailure(error)) return errorResponse(error, challengeFor(config, this.#scopesSupported), rpcIdFromHeader(request.headers.get(RPC_ID_HEADER)));
      throw error;
    }
  }

  async #initialize(request: Request, caller: CallerIdentity, sessionId: string, idleSeconds: number): Promise<Response> {
    const storage = this.#storage;
    if ((await storage.get(KEY.binding)) !== undefined) throw new SessionNotFoundError("Session id collision; retry initialize.");
    const body = await request.text();
    const parsed = parseMessages(body);
    await checkBeforeDispatch(this.#identity, this.#env, caller, parsed.messages, new Map());
    const now = Date.now();
    await storage.put({
      [KEY.binding]: bindingFor(caller),
      [KEY.init]: parsed.raw,
      [KEY.sessionId]: sessionId,
      [KEY.lastSeen]: now,
    });
    this.#lastTouch = now;
    this.#caller = caller;
    await storage.setAlarm(now + idleSeconds * 1000);
    const live = await this.#ensureLive(sessionId, undefined, caller);
    return live.transport.handleRequest(request, { parsedBody: parsed.raw, authInfo: toAuthInfo(caller) });
  }

  async #continue(request: Request, caller: CallerIdentity): Promise<Response> {
    const storage = this.#storage;
    const stored = await storage.get([KEY.binding, KEY.sessionId]);
    const binding = stored.get(KEY.binding) as SessionBinding | undefined;
    // Unknown, ended, or someone else's: indistinguishable from outside, and nothing is touched.
    if (binding === undefined || !isBoundTo(binding, caller)) throw new SessionNotFoundError();
    const sessionId = stored.get(KEY.sessionId) as string;
    // The stored initialize is needed only to rebuild after an eviction or restart.
    const running = this.#live;
    const live = await (running ?? this.#ensureLive(sessionId, await storage.get(KEY.init), caller));
    await this.#touch();
    const authInfo = toAuthInfo(caller);
    this.#caller = caller;
    if (request.method === "GET") {
      // A standing stream runs the server's feeds for as long as it is open: a subject holds only so many.
      const slot = await acquireListenerSlot(this.#env, caller, readConfig(this.#env).maxListenersPerSubject);
      const claims = claimsOf(caller);
      const bus = this.#busFor(this.#env).boundTo({ caller, ...(claims === undefined ? {} : { claims }) });
      const stream = followWhileOpen(await live.transport.handleRequest(request, { authInfo }), bus, (event) => void this.#heard(event, live), slot.release);
      if (stream.ok) this.#streamOpened(live);
      return stream;
    }
    if (request.method !== "POST") return live.transport.handleRequest(request, { authInfo });
    const parsed = parseMessages(await request.text());
    // sessionSetup "per-request": what this request may use is decided now, for this caller (a
    // server just built for it already ran setup; answers to the server's own requests need none).
    if (running !== undefined && live.refresh !== undefined && parsed.messages.some((m) => "method" in m && "id" in m)) await live.refresh(caller);
    await checkBeforeDispatch(this.#identity, this.#env, caller, parsed.messages, live.toolScopes);
    return live.transport.handleRequest(request, { parsedBody: parsed.raw, authInfo });
  }

  /**
   * A list change heard while the session's stream is open (session-follow.ts). With per-request
   * setup, setup runs again for the session's latest caller, and the client hears of it only if
   * what it can list changed; otherwise the change is passed on as announced.
   */
  async #heard(event: ServerEvent, live: Live): Promise<void> {
    if (!isListChange(event.kind)) return;
    try {
      if (live.refresh === undefined) sendListChanged(live.server, event.kind);
      else if (this.#caller !== undefined) await live.refresh(this.#caller);
    } catch {
      // Not passed on now (setup failed, the stream just closed): the next request sees the change.
    }
  }

  /** The client's standalone stream has just opened (and follows the bus from now on). */
  #streamOpened(live: Live): void {
    if (this.#restored) {
      // Rebuilt after an eviction or restart (a deploy, too): what the client listed before is
      // unknown here, so its first stream is told the lists may have changed.
      this.#restored = false;
      for (const change of LIST_CHANGES) {
        try {
          sendListChanged(live.server, change);
        } catch {
          // a list this server never offered
        }
      }
    } else if (live.refresh !== undefined) {
      // A change made before this stream began to follow was heard by nobody: per-request setup
      // runs once now, and the client is told if its listing changed meanwhile.
      void this.#heard({ kind: "tools_list_changed" }, live);
    }
  }

  /** The live server, built once per object lifetime; rebuilt (and re-initialized) after eviction. */
  #ensureLive(sessionId: string, storedInit: unknown, caller: CallerIdentity): Promise<Live> {
    this.#live ??= this.#build(sessionId, storedInit, caller).catch((error: unknown) => {
      this.#live = undefined;
      throw error;
    });
    return this.#live;
  }

  async #build(sessionId: string, storedInit: unknown, caller: CallerIdentity): Promise<Live> {
    const { server, toolScopes, refresh } = await buildServer(
      this.#identity,
      { env: this.#env, transport: "stateful", era: "legacy", caller, sessionId, storage: toolStorage(this.#storage) },
      { sessionIdHash: await hashSessionId(sessionId) },
    );
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => sessionId,
      enableJsonResponse: this.#identity.jsonResponse ?? false,
      eventStore: new SessionEventStore(SERVER_DEFAULTS.sessionEventBufferSize),
      retryInterval: SERVER_DEFAULTS.sseRetryMs,
      onsessionclosed: () => this.terminate(),
      keepAliveMs: readConfig(this.#env).sseKeepAliveMs,
    });
    await server.connect(transport);
    if (storedInit !== undefined) {
      await replayInitialize(transport, storedInit);
      this.#restored = true;
    }
    return { server, transport, toolScopes, ...(refresh === undefined ? {} : { refresh }) };
  }

  async #touch(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastTouch < TOUCH_INTERVAL_MS) return;
    this.#lastTouch = now;
    await this.#storage.put(KEY.lastSeen, now);
  }

  /** Ends the session: closes streams, deletes every byte of storage and the alarm, leaves the subject's registry. */
  async terminate(): Promise<void> {
    const live = this.#live;
    this.#live = undefined;
    const stored = await this.#storage.get([KEY.binding, KEY.sessionId]);
    const binding = stored.get(KEY.binding) as SessionBinding | undefined;
    const sessionId = stored.get(KEY.sessionId) as string | undefined;
    const namespace = sessionNamespaceOf(this.#env);
    if (binding !== undefined && sessionId !== undefined && namespace !== undefined) {
      await sessionRpc(namespace, registryName(binding.subject)).releaseSession(sessionId).catch(() => undefined);
    }
    await this.#storage.deleteAlarm();
    await this.#storage.deleteAll();
    if (live !== undefined) await (await live).transport.close().catch(() => undefined);
  }

  /** The idle alarm: ends the session once it has been idle long enough, else sets the alarm again. */
  async idleAlarm(): Promise<void> {
    const idleMs = readConfig(this.#env).sessionIdleTimeoutSeconds * 1000;
    const lastSeen = await this.#storage.get<number>(KEY.lastSeen);
    if (lastSeen === undefined || Date.now() - lastSeen >= idleMs) {
      await this.terminate();
      return;
    }
    await this.#storage.setAlarm(lastSeen + idleMs);
  }
}

/**
 * Puts a fresh transport + server back into the initialized state of the original session by
 * replaying the client's stored `initialize` (the response is discarded). The SDK then knows
 * the client's capabilities again — needed for sampling and elicitation after a restart.
 */
async function replayInitialize(transport: WebStandardStreamableHTTPServerTransport, init: unknown): Promise<void> {
  const request = new Request("https://session.internal/mcp", {
    method: "POST",
    headers: { accept: "application/json, text/event-stream", "content-type": "application/json" },
    body: JSON.stringify(init),
  });
  const response = await transport.handleRequest(request, { parsedBody: init });
  await response.text();
}
