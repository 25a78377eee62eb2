import { hasScopes, InsufficientScopeError } from "@edge-mcp/auth";
import type { McpServer, RegisteredTool } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { AnySchema, SchemaOutput, ShapeOutput, ZodRawShapeCompat } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { ErrorCode, McpError, type CallToolResult, type ServerNotification, type ServerRequest, type ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { AuditSink } from "./audit.ts";
import { callerFromAuthInfo, type CallerIdentity } from "./caller.ts";
import { DEFAULT_TOOL_SCOPES } from "./method-scopes.ts";

/** The SDK's handler context plus the verified caller of the current request. */
export type EdgeRequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification> & { auth: CallerIdentity };

type Result = CallToolResult | Promise<CallToolResult>;
export type EdgeToolCallback<Args extends undefined | ZodRawShapeCompat | AnySchema> = Args extends ZodRawShapeCompat
  ? (args: ShapeOutput<Args>, extra: EdgeRequestExtra) => Result
  : Args extends AnySchema
    ? (args: SchemaOutput<Args>, extra: EdgeRequestExtra) => Result
    : (extra: EdgeRequestExtra) => Result;

export interface EdgeToolConfig<InputArgs, OutputArgs> {
  title?: string;
  description?: string;
  inputSchema?: InputArgs;
  outputSchema?: OutputArgs;
  annotations?: ToolAnnotations;
  _meta?: Record<string, unknown>;
  /**
   * Scopes a caller needs to call this tool; checked before the tool runs (HTTP 403 step-up).
   * Default `["tools.read"]`; give mutating tools `["tools.write"]`.
   */
  scopes?: readonly string[];
  /** Audit: `arguments: true` puts this tool's arguments in its audit line (off by default). */
  audit?: { arguments?: boolean };
}

/** Where a server's tool-call audit lines go. */
export interface ToolAuditContext {
  readonly sink: AuditSink;
  readonly server: string;
  readonly sessionIdHash: string | null;
}

/** What a server author's `setup` receives. */
export interface EdgeMcpServer {
  /** The SDK server: register resources, prompts, completions and logging on it directly. */
  readonly server: McpServer;
  /** Registers a tool with the scopes it needs. Handlers get `extra.auth`, never the token. */
  tool<InputArgs extends undefined | ZodRawShapeCompat | AnySchema = undefined, OutputArgs extends ZodRawShapeCompat | AnySchema = ZodRawShapeCompat>(
    name: string,
    config: EdgeToolConfig<InputArgs, OutputArgs>,
    handler: EdgeToolCallback<InputArgs>,
  ): RegisteredTool;
}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The caller of the request a handler serves. Works in any SDK handler (resources, prompts,
 * completions) from its `extra`; throws if the request did not come through edge-mcp's HTTP layer.
 */
export function callerOf(extra: { authInfo?: Parameters<typeof callerFromAuthInfo>[0] }): CallerIdentity {
  const caller = callerFromAuthInfo(extra.authInfo);
  if (caller === undefined) throw new McpError(ErrorCode.InternalError, "No verified caller on this request.");
  return caller;
}

/** Wraps an `McpServer` so every tool registration records (and enforces) its scopes. */
export function createEdgeMcpServer(server: McpServer, toolScopes: Map<string, readonly string[]>, audit?: ToolAuditContext): EdgeMcpServer {
  return {
    server,
    tool(name, config, handler) {
      const { scopes = DEFAULT_TOOL_SCOPES, audit: auditOptions, ...sdkConfig } = config;
      for (const scope of scopes) {
        if (!SCOPE_TOKEN.test(scope)) throw new TypeError(`tool "${name}": "${scope}" is not a valid scope token`);
      }
      const required = Object.freeze([...scopes]);
      toolScopes.set(name, required);
      const run = async (...args: unknown[]): Promise<CallToolResult> => {
        const extra = args[args.length - 1] as RequestHandlerExtra<ServerRequest, ServerNotification>;
        const auth = callerOf(extra);
        const started = Date.now();
        const record = (outcome: "ok" | "error" | "denied") =>
          audit?.sink.write({
            type: "tool_call",
            time: new Date(started).toISOString(),
            server: audit.server,
            tool: name,
            subject: auth.subject,
            clientId: auth.clientId,
            scopes: auth.scopes,
            outcome,
            latencyMs: Date.now() - started,
            sessionIdHash: audit.sessionIdHash,
            ...(auditOptions?.arguments && args.length > 1 ? { arguments: args[0] } : {}),
          });
        // Defence in depth: the HTTP layer already answered 403 before dispatch.
        if (!hasScopes(auth, required)) {
          record("denied");
          throw new McpError(ErrorCode.InvalidRequest, new InsufficientScopeError(required).message);
        }
        const withAuth: EdgeRequestExtra = { ...extra, auth };
        try {
          const result = await (handler as (...a: unknown[]) => Result)(...args.slice(0, -1), withAuth);
          record(result.isError ? "error" : "ok");
          return result;
        } catch (error) {
          record("error");
          throw error;
        }
      };
      return server.registerTool(name, sdkConfig as never, run as never);
    },
  };
}
