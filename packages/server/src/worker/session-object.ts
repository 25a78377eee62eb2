import { DurableObject } from "cloudflare:workers";
import { WebStandardStreamableHTTPServerTransport, type McpServer, type ServerEvent } from "@modelcontextprotocol/server";
import { isAuthFailure } from "@edge-mcp/auth";
import { buildServer, type ServerIdentity } from "../mcp/build-server.ts";
import { CALLER_HEADER, claimsOf, decodeCaller, toAuthInfo, type CallerIdentity } from "../base/caller.ts";
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
import { SessionEventStore } from "../legacy/session-event-store.ts";
import { followWhileOpen } from "../legacy/session-follow.ts";
import { acquireListenerSlot } from "../events/listener-slots.ts";
import { isListChange, LIST_CHANGES, sendListChanged } from "../events/list-changes.ts";
import { toolStorage } from "../mcp/session-storage.ts";
import { admit, admitEntry, registryName, release, releaseEntry, sessionNamespaceOf, sessionRpc, taskRegistryName } from "../base/session-registry.ts";
import type { createModernEra } from "../modern/modern-era.ts";
import type { TaskPolicy, TaskView } from "../tasks/task-extension.ts";
import { runTaskRound } from "../modern/task-round.ts";
import { TaskRunner, type RoundInput, type StartOutcome, type TaskCall } from "../tasks/task-runner.ts";
import { NEW_SESSION_HEADER, RPC_ID_HEADER } from "../legacy/legacy-sessions.ts";


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

/**
 * One Durable Object per MCP session, hosting the SDK's web-standard transport.
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
export function createSessionClass<Env extends object>(identity: ServerIdentity<Env>, scopesSupported: readonly string[], modern: ReturnType<typeof createModernEra<Env>>) {
  // Task rounds run the worker's own 2026-07-28 pipeline inside the task's object (task-round.ts).
  class McpSession extends DurableObject<Env> {
    #live: Promise<Live> | undefined;
    #lastTouch = 0;
    #tasks: TaskRunner | undefined;
    /** The caller of the session's latest request: whom per-request setup runs for when a change is heard. */
    #caller: CallerIdentity | undefined;
    /** Rebuilt from storage and not yet told the client its lists may have changed. */
    #restored = false;

    /** Task role (task-runner.ts): this object is the task `task:<taskId>` of the tasks extension. */
    #taskRunner(): TaskRunner {
      this.#tasks ??= new TaskRunner(
        this.ctx.storage,
        (round, caller, control) => runTaskRound(modern, this.env, readConfig(this.env).resource, round, caller, control),
        Date.now,
        // A finished task frees its place in its subject's count (session-registry.ts).
        async (subject, taskId) => {
          const namespace = sessionNamespaceOf(this.env);
          if (namespace !== undefined) await sessionRpc(namespace, taskRegistryName(subject)).releaseTask(taskId).catch(() => undefined);
        },
      );
      return this.#tasks;
    }

    async startTask(taskId: string, caller: CallerIdentity, call: TaskCall, handle: TaskPolicy["handle"], first: RoundInput): Promise<StartOutcome> {
      return this.#taskRunner().start(taskId, caller, call, handle, first);
    }

    async getTask(caller: CallerIdentity): Promise<TaskView | undefined> {
      return this.#taskRunner().get(caller);
    }

    async updateTask(caller: CallerIdentity, responses: Record<string, unknown>): Promise<boolean> {
      return this.#taskRunner().update(caller, responses);
    }

    async cancelTask(caller: CallerIdentity): Promise<boolean> {
      return this.#taskRunner().cancel(caller);
    }

    /** Registry role (session-registry.ts): admits a subject's new session, returns the sessions to end. */
    async admitSession(sessionId: string, limit: number): Promise<string[]> {
      return admit(this.ctx.storage, sessionId, limit, Date.now());
    }

    /** Registry role: forgets an ended session. */
    async releaseSession(sessionId: string): Promise<void> {
      await release(this.ctx.storage, sessionId);
    }

    /** Task registry role (session-registry.ts): admits a subject's new task unless it has `limit` unfinished. */
    async admitTask(taskId: string, limit: number, ttlMs: number): Promise<boolean> {
      return admitEntry(this.ctx.storage, "task", taskId, limit, Date.now(), ttlMs);
    }

    /** Task registry role: a task finished or expired. */
    async releaseTask(taskId: string): Promise<void> {
      await releaseEntry(this.ctx.storage, "task", taskId);
    }

    /** Listener registry role: admits (or renews) a subject's listener unless it holds `limit`. */
    async admitListener(listenerId: string, limit: number, leaseMs: number): Promise<boolean> {
      return admitEntry(this.ctx.storage, "listener", listenerId, limit, Date.now(), leaseMs);
    }

    /** Listener registry role: a listening stream closed. */
    async releaseListener(listenerId: string): Promise<void> {
      await releaseEntry(this.ctx.storage, "listener", listenerId);
    }

    /** Ends this session (its subject opened too many): the same as DELETE. */
    async endSession(): Promise<void> {
      await this.#terminate();
    }

    override async fetch(request: Request): Promise<Response> {
      const config = readConfig(this.env);
      const caller = decodeCaller(request.headers.get(CALLER_HEADER), { claims: true });
      if (caller === undefined) return new Response("Forbidden", { status: 403 });
      try {
        const newSessionId = request.headers.get(NEW_SESSION_HEADER);
        return newSessionId === null ? await this.#continue(request, caller) : await this.#initialize(request, caller, newSessionId, config.sessionIdleTimeoutSeconds);
      } catch (error) {
        // The Worker read the body first and sent the request's id along (RPC_ID_HEADER).
        if (isServerFailure(error) || isAuthFailure(error)) return errorResponse(error, challengeFor(config, scopesSupported), rpcIdFromHeader(request.headers.get(RPC_ID_HEADER)));
        throw error;
      }
    }

    async #initialize(request: Request, caller: CallerIdentity, sessionId: string, idleSeconds: number): Promise<Response> {
      const storage = this.ctx.storage;
      if ((await storage.get(KEY.binding)) !== undefined) throw new SessionNotFoundError("Session id collision; retry initialize.");
      const body = await request.text();
      const parsed = parseMessages(body);
      await checkBeforeDispatch(identity, this.env, caller, parsed.messages, new Map());
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
      const storage = this.ctx.storage;
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
        const slot = await acquireListenerSlot(this.env, caller, readConfig(this.env).maxListenersPerSubject);
        const claims = claimsOf(caller);
        const bus = modern.busFor(this.env).boundTo({ caller, ...(claims === undefined ? {} : { claims }) });
        const stream = followWhileOpen(await live.transport.handleRequest(request, { authInfo }), bus, (event) => void this.#heard(event, live), slot.release);
        if (stream.ok) this.#streamOpened(live);
        return stream;
      }
      if (request.method !== "POST") return live.transport.handleRequest(request, { authInfo });
      const parsed = parseMessages(await request.text());
      // sessionSetup "per-request": what this request may use is decided now, for this caller (a
      // server just built for it already ran setup; answers to the server's own requests need none).
      if (running !== undefined && live.refresh !== undefined && parsed.messages.some((m) => "method" in m && "id" in m)) await live.refresh(caller);
      await checkBeforeDispatch(identity, this.env, caller, parsed.messages, live.toolScopes);
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
        identity,
        { env: this.env, transport: "stateful", era: "legacy", caller, sessionId, storage: toolStorage(this.ctx.storage) },
        { sessionIdHash: await hashSessionId(sessionId) },
      );
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => sessionId,
        enableJsonResponse: identity.jsonResponse ?? false,
        eventStore: new SessionEventStore(SERVER_DEFAULTS.sessionEventBufferSize),
        retryInterval: SERVER_DEFAULTS.sseRetryMs,
        onsessionclosed: () => this.#terminate(),
        keepAliveMs: readConfig(this.env).sseKeepAliveMs,
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
      await this.ctx.storage.put(KEY.lastSeen, now);
    }

    /** Ends the session: closes streams, deletes every byte of storage and the alarm, leaves the subject's registry. */
    async #terminate(): Promise<void> {
      const live = this.#live;
      this.#live = undefined;
      const stored = await this.ctx.storage.get([KEY.binding, KEY.sessionId]);
      const binding = stored.get(KEY.binding) as SessionBinding | undefined;
      const sessionId = stored.get(KEY.sessionId) as string | undefined;
      const namespace = sessionNamespaceOf(this.env);
      if (binding !== undefined && sessionId !== undefined && namespace !== undefined) {
        await sessionRpc(namespace, registryName(binding.subject)).releaseSession(sessionId).catch(() => undefined);
      }
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
      if (live !== undefined) await (await live).transport.close().catch(() => undefined);
    }

    override async alarm(): Promise<void> {
      if (await this.#taskRunner().expire()) return; // a task's retention (ttlMs) ended
      const idleMs = readConfig(this.env).sessionIdleTimeoutSeconds * 1000;
      const lastSeen = await this.ctx.storage.get<number>(KEY.lastSeen);
      if (lastSeen === undefined || Date.now() - lastSeen >= idleMs) {
        await this.#terminate();
        return;
      }
      await this.ctx.storage.setAlarm(lastSeen + idleMs);
    }
  }
  return McpSession;
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
