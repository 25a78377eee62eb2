import type { McpServer, RegisteredTool } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ListToolsRequestSchema, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

const EMPTY_INPUT = Object.freeze({ type: "object", properties: {} });

/**
 * Serves `tools/list` with JSON Schema 2020-12, the default dialect of MCP 2025-11-25
 * (SEP-1613): `$schema`, `$defs` and `additionalProperties` as zod renders them for that target.
 * The SDK v1 McpServer renders draft-07 (`definitions`, draft-07 `$schema`) with no option to
 * change it. Reads the SDK's tool registry — a private field of the pinned SDK version, covered
 * by the conformance suite and by tests that list every registered tool.
 */
export function serveToolsListAs2020_12(server: McpServer): void {
  const registry = (server as unknown as { _registeredTools?: Record<string, RegisteredTool> })._registeredTools;
  if (registry === undefined || Object.keys(registry).length === 0) return;
  const render = (schema: unknown, io: "input" | "output") => z.toJSONSchema(schema as z.ZodType, { target: "draft-2020-12", io }) as Tool["inputSchema"];
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: Object.entries(registry)
      .filter(([, tool]) => tool.enabled)
      .map(([name, tool]): Tool => ({
        name,
        ...(tool.title === undefined ? {} : { title: tool.title }),
        ...(tool.description === undefined ? {} : { description: tool.description }),
        inputSchema: tool.inputSchema === undefined ? { ...EMPTY_INPUT } : render(tool.inputSchema, "input"),
        ...(tool.outputSchema === undefined ? {} : { outputSchema: render(tool.outputSchema, "output") as Tool["outputSchema"] }),
        ...(tool.annotations === undefined ? {} : { annotations: tool.annotations }),
        ...(tool.execution === undefined ? {} : { execution: tool.execution }),
        ...(tool._meta === undefined ? {} : { _meta: tool._meta }),
      })),
  }));
}
