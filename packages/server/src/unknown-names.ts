import type { McpServer, RegisteredResource, RegisteredResourceTemplate, RegisteredTool } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CallToolRequestSchema, ErrorCode, McpError, ReadResourceRequestSchema } from "@modelcontextprotocol/sdk/types.js";

type Handler = (request: unknown, extra: unknown) => Promise<unknown>;
interface Internals {
  _registeredTools?: Record<string, RegisteredTool>;
  _registeredResources?: Record<string, RegisteredResource>;
  _registeredResourceTemplates?: Record<string, RegisteredResourceTemplate>;
  server: { _requestHandlers?: Map<string, Handler> };
}

/**
 * Names a client asks for that the server does not have are protocol errors, not results:
 * - `tools/call` of an unknown or disabled tool → JSON-RPC -32602 (MCP 2025-11-25 "Tools" §
 *   Error Handling: unknown tools are protocol errors). The SDK v1 turns it into a tool result
 *   with `isError`, which a model would read as the tool's own output.
 * - `resources/read` of an unknown URI → -32602 with `data.uri` (MCP 2026-07-28 resource not
 *   found; 2025-11-25 asks for the URI in `data` too).
 * Wraps the SDK's own handlers (reading its registries, private fields of the pinned SDK
 * version, covered by tests), so everything else stays the SDK's.
 */
export function answerUnknownNamesAsErrors(server: McpServer): void {
  const internals = server as unknown as Internals;
  const handlers = internals.server._requestHandlers;
  const callTool = handlers?.get("tools/call");
  if (callTool !== undefined) {
    server.server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
      const tool = internals._registeredTools?.[request.params.name];
      if (tool === undefined || !tool.enabled) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name.slice(0, 128)}`);
      return callTool(request, extra) as never;
    });
  }
  const readResource = handlers?.get("resources/read");
  if (readResource !== undefined) {
    server.server.setRequestHandler(ReadResourceRequestSchema, (request, extra) => {
      const uri = request.params.uri;
      if (!resourceExists(internals, uri)) throw new McpError(ErrorCode.InvalidParams, "Resource not found", { uri });
      return readResource(request, extra) as never;
    });
  }
}

function resourceExists(internals: Internals, uri: string): boolean {
  let normalized: string;
  try {
    normalized = new URL(uri).toString();
  } catch {
    return false;
  }
  const exact = internals._registeredResources?.[normalized];
  if (exact !== undefined) return exact.enabled;
  return Object.values(internals._registeredResourceTemplates ?? {}).some((t) => t.resourceTemplate.uriTemplate.match(normalized) !== null);
}
