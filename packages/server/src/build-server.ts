import { McpServer, type ServerCapabilities } from "@modelcontextprotocol/server";
import type { AuditSink } from "./audit.ts";
import type { SessionStorage } from "./session-storage.ts";
import { readConfig } from "./config.ts";
import { requestStateCodecFor } from "./request-state.ts";
import { createEdgeMcpServer, type EdgeMcpServer } from "./edge-mcp-server.ts";
import type { RateLimitConfig } from "./rate-limit.ts";
import type { ToolScopes } from "./method-scopes.ts";

/** What `setup` learns about where it runs. */
export interface SetupContext<Env> {
  readonly env: Env;
  readonly transport: "stateful" | "stateless";
  /** The protocol era of the request(s) this server instance serves. */
  readonly era: "legacy" | "modern";
  /** The MCP session id (stateful only). */
  readonly sessionId?: string;
  /**
   * The session's own key/value storage (stateful only), deleted with the session. Confined to
   * its own namespace: the framework's keys (the session's owner, its initialize) are out of reach.
   */
  readonly storage?: SessionStorage;
}

export type SetupFn<Env> = (mcp: EdgeMcpServer, ctx: SetupContext<Env>) => void | Promise<void>;

export interface ServerIdentity<Env> {
  readonly name: string;
  readonly version: string;
  /** Where audit lines go; undefined = no audit. */
  readonly audit?: AuditSink;
  readonly rateLimit?: RateLimitConfig;
  /** Answer POSTs with one JSON body instead of an SSE stream (no progress or server requests). */
  readonly jsonResponse?: boolean;
  readonly instructions?: string;
  readonly capabilities?: ServerCapabilities;
  readonly setup: SetupFn<Env>;
}

export interface BuiltServer {
  readonly server: McpServer;
  readonly toolScopes: ToolScopes;
}

/**
 * A fresh SDK server (`@modelcontextprotocol/server`, which serves both protocol eras) with the
 * author's tools registered. On Workers the SDK validates JSON Schema with @cfworker/json-schema
 * (its `workerd` export): Ajv compiles validators with `new Function`, which Workers forbid.
 */
export async function buildServer<Env>(identity: ServerIdentity<Env>, ctx: SetupContext<Env>, sessionIdHash: string | null = null, requestBinding = ""): Promise<BuiltServer> {
  const codec = requestStateCodecFor(readConfig(ctx.env as object), requestBinding);
  const server = new McpServer(
    { name: identity.name, version: identity.version },
    {
      ...(identity.capabilities === undefined ? {} : { capabilities: identity.capabilities }),
      ...(identity.instructions === undefined ? {} : { instructions: identity.instructions }),
      // Never send sampling / elicitation / roots requests to a client that did not declare the
      // capability: the tool gets an error at once instead of a request that waits out its timeout.
      enforceStrictCapabilities: true,
      // MRTR requestState: verified (signature, expiry, caller) before any handler runs.
      ...(codec === undefined ? {} : { requestState: { verify: (state: string, context: Parameters<typeof codec.verify>[1]) => codec.verify(state, context) } }),
    },
  );
  const toolScopes = new Map<string, readonly string[]>();
  const audit = identity.audit === undefined ? undefined : { sink: identity.audit, server: identity.name, sessionIdHash };
  await identity.setup(createEdgeMcpServer(server, toolScopes, audit, codec), ctx);
  return { server, toolScopes };
}
