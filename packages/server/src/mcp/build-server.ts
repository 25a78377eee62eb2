import { McpServer, type McpServerOptions, type ServerCapabilities, type ServerEventBus } from "@modelcontextprotocol/server";
import type { AuditSink } from "../policy/audit.ts";
import { claimsOf, type CallerIdentity } from "../base/caller.ts";
import type { EventSource, Subscriber } from "../events/event-sources.ts";
import type { SessionStorage } from "./session-storage.ts";
import { readConfig } from "../base/config.ts";
import { requestStateCodecFor } from "./request-state.ts";
import { createEdgeMcpServer, type EdgeMcpServer } from "./edge-mcp-server.ts";
import { sendListChanged, type ListChange } from "../events/list-changes.ts";
import { createSessionSetup } from "./session-setup.ts";
import { sessionNamespaceOf } from "../base/session-registry.ts";
import { reusableSetupContext } from "./reusable-setup-context.ts";
import { TASKS_EXTENSION, type TaskPolicy } from "../tasks/task-extension.ts";
import { registerTaskMethods } from "../tasks/task-methods.ts";
import type { RoundControl } from "../tasks/task-runner.ts";
import type { RateLimitConfig } from "../policy/rate-limit.ts";
import type { Tracer } from "../base/tracer.ts";
import type { ToolScopes } from "../policy/method-scopes.ts";

/**
 * Tells connected clients that lists changed: 2025 sessions get the notification on their
 * stream; 2026-07-28 clients get it on their open `subscriptions/listen` streams.
 */
export interface ListChangeNotifier {
  /** Resolves once the change is on its way to every listener (await it inside a request). */
  toolsChanged(): Promise<void>;
  promptsChanged(): Promise<void>;
  resourcesChanged(): Promise<void>;
}

/** What `setup` learns about where it runs. */
export interface SetupContext<Env> {
  readonly env: Env;
  readonly transport: "stateful" | "stateless";
  /** The protocol era of the request(s) this server instance serves. */
  readonly era: "legacy" | "modern";
  /**
   * The verified caller this instance serves: the request's (stateless, and every 2026-07-28
   * request), or the session's owner (stateful: a session is bound to one sub + client).
   */
  readonly caller: CallerIdentity;
  /**
   * The verified token's claims (e.g. Auth0 `permissions` or a roles claim) of the token `caller`
   * was verified from (in a session: the token of `initialize`, or with `sessionSetup:
   * "per-request"` of the request being served); absent with auth disabled and on requests from a
   * gateway.
   */
  readonly claims?: Readonly<Record<string, unknown>>;
  /**
   * The JSON-RPC method of the one request this instance serves (stateless and 2026-07-28
   * requests), so `setup` may skip registering what that request cannot use; absent in sessions
   * (an instance serves many requests) and for batches.
   */
  readonly method?: string;
  /** With `method`: the tool or prompt name, or resource URI, the request names (client-chosen, unverified). */
  readonly target?: string;
  /** The MCP session id (stateful only). */
  readonly sessionId?: string;
  /**
   * The session's own key/value storage (stateful only), deleted with the session. Confined to
   * its own namespace: the framework's keys (the session's owner, its initialize) are out of reach.
   */
  readonly storage?: SessionStorage;
  /** Announces list changes to clients of both eras (set by the runtime; absent only in hand-built contexts). */
  readonly notify?: ListChangeNotifier;
}

/** How the runtime builds one server instance, beyond what `setup` sees. */
export interface BuildOptions {
  /** SHA-256 prefix of the session id, for audit lines (stateful). */
  readonly sessionIdHash?: string | null;
  /**
   * Built for a pool: `setup` gets only what a reusable setup may depend on (env, era, the
   * caller's scopes; see reusable-setup-context.ts), and serves every caller with those scopes.
   */
  readonly reusable?: boolean;
  /** The modern era's subscriptions/listen bus, which list changes are published on. */
  readonly bus?: ServerEventBus;
  /** Inside a task's object: the round of `tool` this instance runs (its handler gets `extra.task`). */
  readonly taskRound?: RoundControl & { readonly tool: string };
}

export type SetupFn<Env> = (mcp: EdgeMcpServer, ctx: SetupContext<Env>) => void | Promise<void>;

export interface ServerIdentity<Env> {
  readonly name: string;
  readonly version: string;
  /** Where an env's audit events go (policy/audit-sinks.ts); undefined = none. */
  readonly auditFor: (env: object) => AuditSink | undefined;
  readonly rateLimit?: RateLimitConfig;
  /** Answer POSTs with one JSON body instead of an SSE stream (no progress or server requests). */
  readonly jsonResponse?: boolean;
  readonly instructions?: string;
  readonly capabilities?: ServerCapabilities;
  /** Cache hints (`ttlMs`, `cacheScope`) for 2026-07-28 results that do not set their own. */
  readonly cacheHints?: McpServerOptions["cacheHints"];
  /** Feeds of list changes from outside this worker, heard by `subscriptions/listen` streams. */
  readonly eventSources?: (env: Env, subscriber: Subscriber) => readonly EventSource[];
  /** When `setup` runs in a 2025 session: once, at `initialize` (default), or again before every request (session-setup.ts). */
  readonly sessionSetup?: "once" | "per-request";
  /** Whether stateless requests (2026-07-28 and 2025 stateless) may be served by reused built servers (create-mcp-worker.ts, `reuse`). */
  readonly reuse?: boolean;
  /** Where the spans of a request's stages go (base/tracer.ts). */
  readonly tracer: Tracer;
  readonly setup: SetupFn<Env>;
}

export interface BuiltServer {
  readonly server: McpServer;
  readonly toolScopes: ToolScopes;
  /** The tools registered with `task`, by name. */
  readonly taskPolicies: ReadonlyMap<string, TaskPolicy>;
  /** `sessionSetup: "per-request"` sessions: runs `setup` again for this request's caller and swaps in what it registers. */
  readonly refresh?: (caller: CallerIdentity) => Promise<void>;
}

/**
 * A fresh SDK server (`@modelcontextprotocol/server`, which serves both protocol eras) with the
 * author's tools registered. On Workers the SDK validates JSON Schema with @cfworker/json-schema
 * (its `workerd` export): Ajv compiles validators with `new Function`, which Workers forbid.
 */
export async function buildServer<Env>(identity: ServerIdentity<Env>, base: Omit<SetupContext<Env>, "notify" | "claims">, options: BuildOptions = {}): Promise<BuiltServer> {
  const sessionIdHash = options.sessionIdHash ?? null;
  const codec = requestStateCodecFor(readConfig(base.env as object));
  const server = new McpServer(
    { name: identity.name, version: identity.version },
    {
      ...(identity.capabilities === undefined ? {} : { capabilities: identity.capabilities }),
      ...(identity.instructions === undefined ? {} : { instructions: identity.instructions }),
      ...(identity.cacheHints === undefined ? {} : { cacheHints: identity.cacheHints }),
      // Never send sampling / elicitation / roots requests to a client that did not declare the
      // capability: the tool gets an error at once instead of a request that waits out its timeout.
      enforceStrictCapabilities: true,
      // MRTR requestState: verified (signature, expiry, caller) before any handler runs.
      ...(codec === undefined ? {} : { requestState: { verify: (state: string, context: Parameters<typeof codec.verify>[1]) => codec.verify(state, context) } }),
    },
  );
  const toolScopes = new Map<string, readonly string[]>();
  const sink = identity.auditFor(base.env as object);
  const audit = sink === undefined ? undefined : { sink, server: identity.name, era: base.era, sessionIdHash };
  const { bus } = options;
  const announce = async (kind: ListChange) => {
    if (bus === undefined) return sendListChanged(server, kind);
    const shared = bus as ServerEventBus & { publishNow?: (event: { kind: typeof kind }) => Promise<void> };
    if (shared.publishNow !== undefined) await shared.publishNow({ kind });
    else shared.publish({ kind });
  };
  const notify: ListChangeNotifier = Object.freeze({
    toolsChanged: () => announce("tools_list_changed"),
    promptsChanged: () => announce("prompts_list_changed"),
    resourcesChanged: () => announce("resources_list_changed"),
  });
  const taskPolicies = new Map<string, TaskPolicy>();
  const tasks = { policies: taskPolicies, ...(options.taskRound === undefined ? {} : { round: options.taskRound }) };
  const contextFor = (caller: CallerIdentity): SetupContext<Env> => {
    if (options.reusable === true) return reusableSetupContext({ env: base.env, transport: base.transport, era: base.era, notify }, caller.scopes);
    const claims = claimsOf(caller);
    return { ...base, caller, ...(claims === undefined ? {} : { claims }), notify };
  };
  if (base.transport === "stateful" && base.era === "legacy" && identity.sessionSetup === "per-request") {
    const sessionSetup = createSessionSetup(server);
    const refresh = async (caller: CallerIdentity) => {
      const { recorder, commit } = sessionSetup.record();
      const scopes = new Map<string, readonly string[]>();
      await identity.setup(createEdgeMcpServer(recorder, scopes, audit, codec, tasks, identity.tracer, base.env as object), contextFor(caller));
      // Synchronous from here: the registrations and the scopes checked before dispatch change together.
      commit();
      toolScopes.clear();
      for (const [name, required] of scopes) toolScopes.set(name, required);
    };
    await refresh(base.caller);
    return { server, toolScopes, taskPolicies, refresh };
  }
  await identity.setup(createEdgeMcpServer(server, toolScopes, audit, codec, tasks, identity.tracer, base.env as object), contextFor(base.caller));
  // The tasks extension is 2026-07-28's, and needs the session Durable Object to keep tasks in.
  // Its methods are registered only on an instance that serves one of them (one request each).
  const namespace = base.era === "modern" ? sessionNamespaceOf(base.env as object) : undefined;
  if (namespace !== undefined) {
    if (base.method === undefined || base.method.startsWith("tasks/")) registerTaskMethods(server, namespace);
    if (taskPolicies.size > 0) server.server.registerCapabilities({ extensions: { [TASKS_EXTENSION]: {} } });
  }
  return { server, toolScopes, taskPolicies };
}
