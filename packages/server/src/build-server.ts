import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ServerCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import { createEdgeMcpServer, type EdgeMcpServer } from "./edge-mcp-server.ts";
import type { ToolScopes } from "./method-scopes.ts";

/** What `setup` learns about where it runs. */
export interface SetupContext<Env> {
  readonly env: Env;
  readonly transport: "stateful" | "stateless";
  /** The MCP session id (stateful only). */
  readonly sessionId?: string;
  /** The session's own Durable Object storage (stateful only); deleted with the session. */
  readonly storage?: DurableObjectStorage;
}

export type SetupFn<Env> = (mcp: EdgeMcpServer, ctx: SetupContext<Env>) => void | Promise<void>;

export interface ServerIdentity<Env> {
  readonly name: string;
  readonly version: string;
  readonly instructions?: string;
  readonly capabilities?: ServerCapabilities;
  readonly setup: SetupFn<Env>;
}

export interface BuiltServer {
  readonly server: McpServer;
  readonly toolScopes: ToolScopes;
}

/**
 * A fresh SDK server with the author's tools registered. JSON Schema validation uses
 * @cfworker/json-schema: Ajv compiles validators with `new Function`, which Workers forbid.
 */
export async function buildServer<Env>(identity: ServerIdentity<Env>, ctx: SetupContext<Env>): Promise<BuiltServer> {
  const server = new McpServer(
    { name: identity.name, version: identity.version },
    {
      ...(identity.capabilities === undefined ? {} : { capabilities: identity.capabilities }),
      ...(identity.instructions === undefined ? {} : { instructions: identity.instructions }),
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    },
  );
  const toolScopes = new Map<string, readonly string[]>();
  await identity.setup(createEdgeMcpServer(server, toolScopes), ctx);
  return { server, toolScopes };
}
