import { hasScopes, InsufficientScopeError } from "@edge-mcp/auth";
import { CLIENT_CAPABILITIES_META_KEY, ProtocolError, ProtocolErrorCode, type CallToolResult, type ClientCapabilities, type InputRequiredResult, type McpServer, type RegisteredTool, type ServerContext, type ServerNotification, type StandardSchemaWithJSON, type ToolAnnotations } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { AuditSink } from "../policy/audit.ts";
import { callerOf, type CallerIdentity } from "../base/caller.ts";
import { traceIdOf } from "../base/trace-context.ts";
import type { Tracer } from "../base/tracer.ts";
import { DEFAULT_TOOL_SCOPES } from "../policy/method-scopes.ts";
import { toolRequestState, type StateCodec, type ToolRequestState } from "./request-state.ts";
import { taskPolicyOf, type TaskPolicy, type TaskSupport } from "../tasks/task-extension.ts";
import type { RoundControl } from "../tasks/task-runner.ts";
import { readConfig } from "../base/config.ts";
import { downstreamApisFor, type DownstreamApis } from "../apis/downstream-apis.ts";
import { answerDownstreamError } from "./downstream-answers.ts";

/**
 * What a tool handler gets: the SDK v2 handler context (`mcpReq`, `http`, …), the verified
 * caller of this request as `auth`, and short names for what tools use most — the same in both
 * protocol eras.
 */
export type EdgeRequestExtra = ServerContext & {
  /** The verified caller of this request (never the token). */
  readonly auth: CallerIdentity;
  /** The request's `_meta` (e.g. `progressToken`). */
  readonly _meta: ServerContext["mcpReq"]["_meta"];
  /** The JSON-RPC id of the request being served. */
  readonly requestId: ServerContext["mcpReq"]["id"];
  /** Aborted when the client cancels or disconnects. */
  readonly signal: AbortSignal;
  /** Sends a notification related to this request (progress, logging) on its stream. */
  sendNotification(notification: ServerNotification): Promise<void>;
  /** MRTR state for the next round of this call: signed, expiring, bound to this caller and request. */
  readonly requestState: ToolRequestState;
  /**
   * What the client declared it can do (elicitation, sampling, roots, …): this request's `_meta`
   * on 2026-07-28, the session's `initialize` on 2025 (undefined on a stateless 2025 request).
   */
  readonly clientCapabilities: ClientCapabilities | undefined;
  /**
   * The task this call runs as (a tool registered with `task`, called by a client that declared
   * the tasks extension): `id` is undefined when it runs as a plain call. `start()` hands the
   * client its task handle now (tools with `handle: "on-start"`; a no-op otherwise).
   */
  readonly task: { readonly id: string | undefined; start(): Promise<void> };
  /**
   * The APIs this server declares (mcp.json `apis`), called as this caller: `token(name)` or
   * `fetch(name, path)`. A third-party account the user has not connected yet is asked for with a
   * URL elicitation (both eras), then the call runs again.
   */
  readonly apis: DownstreamApis;
};

/**
 * A tool's result: a `CallToolResult`, or — when it needs input from the user or the model —
 * `inputRequired(...)` (multi round-trip, MCP 2026-07-28). Written once for both eras: a modern
 * client answers the input requests and retries; in a 2025 session the SDK sends them to the
 * client as server→client requests and runs the tool again with the answers.
 */
type Result = CallToolResult | InputRequiredResult | Promise<CallToolResult | InputRequiredResult>;
type Shape = z.ZodRawShape;
/** A schema given as JSON Schema (e.g. a tool relayed from another server): `fromJsonSchema(...)` or any Standard Schema with JSON. */
type JsonSchemaInput = StandardSchemaWithJSON;
type Args<S> = S extends Shape ? z.infer<z.ZodObject<S>> : S extends z.ZodType ? z.infer<S> : S extends JsonSchemaInput ? Record<string, unknown> : never;
export type EdgeToolCallback<InputArgs> = InputArgs extends Shape | z.ZodType | JsonSchemaInput
  ? (args: Args<InputArgs>, extra: EdgeRequestExtra) => Result
  : (extra: EdgeRequestExtra) => Result;

export interface EdgeToolConfig<InputArgs, OutputArgs> {
  title?: string;
  description?: string;
  /** A zod object schema, the shape of one (`{ text: z.string() }`), or a Standard Schema with JSON (`fromJsonSchema(...)`). */
  inputSchema?: InputArgs;
  outputSchema?: OutputArgs;
  annotations?: ToolAnnotations;
  _meta?: Record<string, unknown>;
  /**
   * Scopes a caller needs to call this tool; checked before the tool runs (HTTP 403 step-up).
   * Default `["tools.read"]`; give mutating tools `["tools.write"]`.
   */
  scopes?: readonly string[];
  /**
   * Audit: `arguments: true` puts this tool's arguments in its audit line (off by default);
   * `backend` names the server a relayed tool belongs to (an edge-mcp gateway sets it).
   */
  audit?: { arguments?: boolean; backend?: string };
  /**
   * Run this tool as an MCP task (the `io.modelcontextprotocol/tasks` extension, 2026-07-28) for
   * clients that declare the extension: the call answers at once with a task handle, the tool runs
   * on in the task's Durable Object (stateful servers), and the client polls `tasks/get`. Input
   * the tool asks for (`inputRequired`) is surfaced on the task. `"optional"`: other clients (and
   * 2025 sessions) get the result as usual; `"required"`: a 2026-07-28 client without the
   * extension gets -32021. See `TaskSupport` for `handle`.
   */
  task?: TaskSupport;
}

/** Where a server's tool-call audit lines go. */
export interface ToolAuditContext {
  readonly sink: AuditSink;
  readonly server: string;
  readonly era: "legacy" | "modern";
  readonly sessionIdHash: string | null;
}

/** What a server author's `setup` receives. */
export interface EdgeMcpServer {
  /** The SDK server (`@modelcontextprotocol/server`): register resources, prompts and completions on it directly. */
  readonly server: McpServer;
  /** Registers a tool with the scopes it needs. Handlers get `extra.auth`, never the token. */
  tool<InputArgs extends Shape | z.ZodType | JsonSchemaInput | undefined = undefined, OutputArgs extends Shape | z.ZodType | JsonSchemaInput = Shape>(
    name: string,
    config: EdgeToolConfig<InputArgs, OutputArgs>,
    handler: EdgeToolCallback<InputArgs>,
  ): RegisteredTool;
}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Shapes already wrapped: a shape defined once (outside `setup`) is wrapped once, however many servers register it. */
const wrappedShapes = new WeakMap<Shape, z.ZodObject>();

/** The schema the SDK registers: a zod object schema or a Standard Schema as given, a shape wrapped in `z.object`. */
function asObjectSchema(schema: Shape | z.ZodType | JsonSchemaInput | undefined): z.ZodType | JsonSchemaInput | undefined {
  if (schema === undefined) return undefined;
  if (schema instanceof z.ZodType || "~standard" in schema) return schema as z.ZodType | JsonSchemaInput;
  let wrapped = wrappedShapes.get(schema as Shape);
  if (wrapped === undefined) {
    wrapped = z.object(schema as Shape);
    wrappedShapes.set(schema as Shape, wrapped);
  }
  return wrapped;
}

/**
 * Where a tool advertises the scopes it needs, in its `_meta` in tools/list: a client (or an
 * edge-mcp gateway in front of this server) can ask for them up front instead of meeting a 403.
 */
export const TOOL_SCOPES_META_KEY = "dev.edge-mcp/scopes";


/** The W3C trace id of the request a handler serves (2026-07-28 `_meta`, else the HTTP header), for its audit line. */
function traceOf(ctx: ServerContext): { traceId?: string } {
  const traceId = traceIdOf(ctx.mcpReq._meta as Record<string, unknown> | undefined, ctx.http?.req?.headers.get("traceparent"));
  return traceId === undefined ? {} : { traceId };
}

/** A call that is not a task round: no id, and nothing to start. */
const NO_TASK = Object.freeze({ id: undefined, start: async () => undefined });

/** Which tools run as tasks, and the task round this server instance runs (inside a task's object). */
export interface TaskRegistry {
  readonly policies: Map<string, TaskPolicy>;
  readonly round?: RoundControl & { readonly tool: string };
}

/**
 * The handler context tools get (EdgeRequestExtra) from the SDK's. `live()`: whether the call is
 * still running — a notification sent after the handler returned (from work it left behind) is
 * dropped, never sent on whatever exchange the (reused) server serves next.
 */
function extraFor(ctx: ServerContext, auth: CallerIdentity, requestState: ToolRequestState, task: EdgeRequestExtra["task"], server: McpServer, live: () => boolean, apis: DownstreamApis): EdgeRequestExtra {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const notify = (notification: ServerNotification) => (live() ? ctx.mcpReq.notify(notification) : Promise.resolve());
  return Object.assign(Object.create(ctx) as ServerContext, ctx, {
    auth,
    requestState,
    // 2026-07-28: this request's own declaration only (a reused server's instance state is another
    // request's); 2025: the SDK's accessor is the initialize-scoped value.
    clientCapabilities: envelope === undefined ? server.server.getClientCapabilities() : (envelope[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined),
    task,
    apis,
    mcpReq: { ...ctx.mcpReq, notify },
    _meta: ctx.mcpReq._meta,
    requestId: ctx.mcpReq.id,
    signal: ctx.mcpReq.signal,
    sendNotification: notify,
  });
}

/** A task round's notification: progress → the task's status; anything else goes where it would (nowhere, in a round's JSON answer). */
function reportToTask(round: RoundControl, notification: ServerNotification, base: EdgeRequestExtra): Promise<void> {
  if (notification.method !== "notifications/progress") return base.sendNotification(notification);
  const { progress, total, message } = notification.params as { progress: number; total?: number; message?: string };
  round.status(`${message === undefined ? "" : `${message}: `}${progress}${total === undefined ? "" : `/${total}`}`);
  return Promise.resolve();
}

/** Wraps an `McpServer` so every tool registration records (and enforces) its scopes. */
export function createEdgeMcpServer(
  server: McpServer,
  toolScopes: Map<string, readonly string[]>,
  audit: ToolAuditContext | undefined,
  codec: StateCodec | undefined,
  tasks: TaskRegistry | undefined,
  tracer: Tracer,
  env: object,
): EdgeMcpServer {
  return {
    server,
    tool(name, config, handler) {
      const { scopes = DEFAULT_TOOL_SCOPES, audit: auditOptions, inputSchema, outputSchema, _meta, task: taskSupport, ...sdkConfig } = config;
      for (const scope of scopes) {
        if (!SCOPE_TOKEN.test(scope)) throw new TypeError(`tool "${name}": "${scope}" is not a valid scope token`);
      }
      const required = Object.freeze([...scopes]);
      toolScopes.set(name, required);
      if (taskSupport !== undefined) tasks?.policies.set(name, taskPolicyOf(taskSupport));
      // The task round this instance runs belongs to one tool call: only that tool sees it.
      const round = tasks?.round?.tool === name ? tasks.round : undefined;
      const task = round === undefined ? NO_TASK : Object.freeze({ id: round.taskId, start: () => round.start() });
      const takesArgs = inputSchema !== undefined;
      const run = async (...args: unknown[]): Promise<CallToolResult | InputRequiredResult> => {
        const ctx = args[args.length - 1] as ServerContext;
        const auth = callerOf(ctx);
        const started = Date.now();
        const record = (outcome: "ok" | "error" | "denied") =>
          audit?.sink.write({
            type: "tool_call",
            time: new Date(started).toISOString(),
            server: audit.server,
            era: audit.era,
            tool: name,
            subject: auth.subject,
            clientId: auth.clientId,
            scopes: auth.scopes,
            outcome,
            latencyMs: Date.now() - started,
            sessionIdHash: audit.sessionIdHash,
            ...(auditOptions?.backend === undefined ? {} : { backend: auditOptions.backend }),
            ...traceOf(ctx),
            ...(auditOptions?.arguments && takesArgs ? { arguments: args[0] } : {}),
          });
        // Defence in depth: the HTTP layer already answered 403 before dispatch.
        if (!hasScopes(auth, required)) {
          record("denied");
          throw new ProtocolError(ProtocolErrorCode.InvalidRequest, new InsufficientScopeError(required).message);
        }
        let running = true;
        const base = extraFor(ctx, auth, toolRequestState(codec, ctx), task, server, () => running, downstreamApisFor(env, readConfig(env), auth, tracer));
        // tasks/cancel aborts the round: the handler sees it on the signal it already watches.
        // Progress has no stream to go to in a task: it becomes the task's statusMessage (tasks/get).
        const extra = round === undefined ? base : Object.assign(Object.create(base) as EdgeRequestExtra, base, { signal: AbortSignal.any([base.signal, round.signal]), sendNotification: (n: ServerNotification) => reportToTask(round, n, base) });
        const call = () => (handler as (...a: unknown[]) => Result)(...(takesArgs ? [args[0]] : []), extra);
        try {
          // The tool itself, as its own span (its name only: never its arguments or result).
          // A downstream API the tool could not call as the user becomes its answer (a URL elicitation, or a tool error).
          const result = await tracer.enterSpan("mcp.tool", async (span) => (span.setAttribute("mcp.tool.name", name), call())).catch((error: unknown) => answerDownstreamError(error, extra));
          record("isError" in result && result.isError === true ? "error" : "ok");
          return result;
        } catch (error) {
          record("error");
          // In a task, a handler that throws failed the task (a protocol-level failure), unlike a tool error result.
          round?.crashed();
          throw error;
        } finally {
          running = false;
        }
      };
      const input = asObjectSchema(inputSchema as Shape | z.ZodType | JsonSchemaInput | undefined);
      const output = asObjectSchema(outputSchema as Shape | z.ZodType | JsonSchemaInput | undefined);
      const meta = { ..._meta, [TOOL_SCOPES_META_KEY]: [...required] };
      return server.registerTool(name, { ...sdkConfig, _meta: meta, ...(input === undefined ? {} : { inputSchema: input }), ...(output === undefined ? {} : { outputSchema: output }) } as never, run as never);
    },
  };
}
