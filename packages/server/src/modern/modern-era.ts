import { createMcpHandler, InMemoryServerEventBus, type JSONRPCRequest, type McpHttpHandler, type McpServer, type ServerEventBus } from "@modelcontextprotocol/server";
import { DurableObjectEventBus, EVENT_BUS_BINDING } from "../events/event-bus.ts";
import { withEventSources, type SubscribableBus } from "../events/event-sources.ts";
import { acquireListenerSlot, untilClosed } from "../events/listener-slots.ts";
import { buildServer, type ServerIdentity } from "../mcp/build-server.ts";
import { claimsOf, toAuthInfo, type CallerIdentity } from "../base/caller.ts";
import type { ParsedMessages } from "../http/jsonrpc.ts";
import { checkBeforeDispatch } from "../policy/dispatch-checks.ts";
import { bindRequestState } from "../mcp/request-state.ts";
import { createServerSource } from "../mcp/server-source.ts";
import { methodOf } from "../http/jsonrpc.ts";
import { answerAsTask, type TaskLimits } from "../tasks/task-calls.ts";
import { SCOPES } from "@edge-mcp/auth";
import { readConfig } from "../base/config.ts";
import { scopesForMessage, type ToolScopes } from "../policy/method-scopes.ts";
import { chargeWrite, rateLimiterFor } from "../policy/rate-limit.ts";
import type { RoundControl } from "../tasks/task-runner.ts";

/**
 * MCP 2026-07-28 requests, served statelessly by the SDK's modern handler
 * (`createMcpHandler` with `legacy: "reject"`: legacy traffic never reaches it). The SDK owns
 * the wire: `_meta` validation (-32602), unsupported versions (-32022 with the supported list),
 * the `MCP-Protocol-Version` / `Mcp-Method` / `Mcp-Name` headers (-32020), `server/discover`,
 * `resultType`, cache hints. edge-mcp adds what the SDK leaves to its host, exactly as for the
 * legacy era: the verified caller, per-tool scopes (403 before dispatch), rate limits.
 */
export function createModernEra<Env>(identity: ServerIdentity<Env>) {
  // Per env object (per isolate in production): the subscriptions/listen bus and the SDK handler
  // whose listen streams subscribe to it. The bus is backed by the McpEventBus Durable Object when
  // the worker binds one (MCP_EVENTS) — a change published on any isolate reaches listen streams
  // on every isolate — else in memory (one isolate, e.g. local development).
  const isolates = new WeakMap<object, { bus: SubscribableBus; handler: McpHttpHandler; roundHandler?: McpHttpHandler }>();
  const isolateFor = (env: object) => {
    let isolate = isolates.get(env);
    if (isolate === undefined) {
      const namespace = (env as Record<string, unknown>)[EVENT_BUS_BINDING] as DurableObjectNamespace | undefined;
      const shared = namespace === undefined ? new InMemoryServerEventBus() : new DurableObjectEventBus(namespace);
      // Each listener runs the feeds made for it (a gateway follows only what that caller's rules reach).
      const bus = withEventSources(shared, (subscriber) => (subscriber === undefined ? [] : (identity.eventSources?.(env as Env, subscriber) ?? [])));
      isolate = { bus, handler: handlerFor(bus) };
      isolates.set(env, isolate);
    }
    return isolate;
  };
  // The server built (and scope-checked) for a request, handed to the SDK's factory.
  const prebuilt = new WeakMap<Request, McpServer>();
  const servers = createServerSource(identity, "modern", { busFor: (env) => isolateFor(env as object).bus });

  function handlerFor(bus: ServerEventBus, responseMode: "json" | "auto" = identity.jsonResponse === true ? "json" : "auto"): McpHttpHandler {
    return createMcpHandler(
      (ctx) => {
        const server = ctx.requestInfo === undefined ? undefined : prebuilt.get(ctx.requestInfo);
        if (server === undefined) throw new Error("edge-mcp: no server was built for this request.");
        return server;
      },
      { legacy: "reject", responseMode, bus },
    );
  }

  /**
   * `subscriptions/listen`: a standing stream that runs the server's feeds for this caller while it
   * is open — a subject holds only so many (429 beyond), its place freed when the stream closes.
   * Served by a handler of its own, whose bus subscribes as this caller.
   */
  async function listen(request: Request, env: Env, parsedBody: unknown, caller: CallerIdentity, bus: SubscribableBus): Promise<Response> {
    const slot = await acquireListenerSlot(env as object, caller, readConfig(env as object).maxListenersPerSubject);
    try {
      const claims = claimsOf(caller);
      return untilClosed(await handlerFor(bus.boundTo({ caller, ...(claims === undefined ? {} : { claims }) })).fetch(request, { authInfo: toAuthInfo(caller), parsedBody }), slot.release);
    } catch (error) {
      slot.release();
      throw error;
    }
  }

  /** What bounds a task's creation for this caller: the server's cap, and a write (unless the call already was one). */
  function taskLimits(env: Env, caller: CallerIdentity, toolScopes: ToolScopes, message: JSONRPCRequest): TaskLimits {
    const { rateLimit } = identity;
    const alreadyAWrite = scopesForMessage(message, toolScopes).includes(SCOPES.toolsWrite);
    return {
      maxTasksPerSubject: readConfig(env as object).maxTasksPerSubject,
      ...(rateLimit === undefined || alreadyAWrite ? {} : { chargeCreation: () => chargeWrite(rateLimiterFor(env as object, rateLimit), rateLimit, identity.name, caller) }),
    };
  }

  return {
    /** This isolate's (per env object) list-change bus, with the server's event sources: what 2025 sessions' streams follow too. */
    busFor(env: Env): SubscribableBus {
      return isolateFor(env as object).bus;
    },
    /**
     * One modern request. `round`: a task's round, run inside the task's Durable Object — the
     * call was checked (scopes, rate limits) when the task was created or updated, it runs as a
     * plain call (never as another task), and the answer is one JSON body.
     */
    async serve(request: Request, env: Env, parsedBody: unknown, parsed: ParsedMessages, caller: CallerIdentity, round?: RoundControl & { readonly tool: string }): Promise<Response> {
      const isolate = isolateFor(env as object);
      const message = parsed.messages[0];
      bindRequestState(request, message);
      if (round !== undefined) {
        // A task's round is never pooled: its server carries the round.
        const { server } = await buildServer(identity, { env, transport: "stateless", era: "modern", caller, ...methodOf(parsed) }, { bus: isolate.bus, taskRound: round });
        prebuilt.set(request, server);
        isolate.roundHandler ??= handlerFor(isolate.bus, "json");
        return isolate.roundHandler.fetch(request, { authInfo: toAuthInfo(caller), parsedBody });
      }
      const lease = await servers.lease(env, caller, methodOf(parsed), true);
      try {
        const { server, toolScopes, taskPolicies } = lease.built;
        await checkBeforeDispatch(identity, env, caller, parsed.messages, toolScopes);
        if (message !== undefined && "method" in message && "id" in message && message.method === "tools/call") {
          const policy = taskPolicies.get(String((message.params as { name?: unknown } | undefined)?.name));
          const answered = policy === undefined ? undefined : await answerAsTask(request, parsedBody, message, policy, caller, env as object, taskLimits(env, caller, toolScopes, message));
          if (answered !== undefined) return answered;
        }
        prebuilt.set(request, server);
        if (message !== undefined && "method" in message && message.method === "subscriptions/listen") return await listen(request, env, parsedBody, caller, isolate.bus);
        return await isolate.handler.fetch(request, { authInfo: toAuthInfo(caller), parsedBody });
      } finally {
        lease.settle();
      }
    },
  };
}
