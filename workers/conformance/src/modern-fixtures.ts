/**
 * MCP 2026-07-28 conformance fixtures besides MRTR (0.2.0-alpha suite): the diagnostic tools of
 * `server-stateless` (SEP-2575), the capability-aware input tool, and the full JSON Schema
 * 2020-12 fixture (SEP-2106: `$anchor`, `allOf`/`anyOf`, `if`/`then`/`else`).
 */
import type { EdgeMcpServer, SetupContext } from "@edge-mcp/server";
import { fromJsonSchema, inputRequired } from "@modelcontextprotocol/server";

const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] });
const nameSchema = { type: "object" as const, properties: { name: { type: "string" as const } }, required: ["name"] };

/** The SEP-2106 schema the suite expects verbatim. */
const JSON_SCHEMA_2020_12 = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  $defs: { address: { $anchor: "addressDef", type: "object", properties: { street: { type: "string" }, city: { type: "string" } } } },
  properties: {
    name: { type: "string" },
    address: { $ref: "#/$defs/address" },
    contactMethod: { type: "string", enum: ["phone", "email"] },
    phone: { type: "string" },
    email: { type: "string" },
  },
  allOf: [{ anyOf: [{ required: ["phone"] }, { required: ["email"] }] }],
  if: { properties: { contactMethod: { const: "phone" } }, required: ["contactMethod"] },
  then: { required: ["phone"] },
  else: { required: ["email"] },
  additionalProperties: false,
} as const;

export function registerModernFixtures(mcp: EdgeMcpServer, ctx: SetupContext<unknown>): void {
  // The list changes (a deployment would add or remove one); listeners of both eras hear of it.
  mcp.tool("test_trigger_tool_change", { description: "Announces a changed tool list" }, async () => {
    await ctx.notify?.toolsChanged();
    return text("tools changed");
  });
  mcp.tool("test_trigger_prompt_change", { description: "Announces a changed prompt list" }, async () => {
    await ctx.notify?.promptsChanged();
    return text("prompts changed");
  });
  // Needs sampling; called without declaring it, the SDK answers -32021 naming it (never asks anyway).
  mcp.tool("test_missing_capability", { description: "Needs the sampling capability" }, () =>
    inputRequired({ inputRequests: { answer: inputRequired.createMessage({ messages: [{ role: "user", content: { type: "text", text: "Say hi" } }], maxTokens: 20 }) } }),
  );
  // Asks for input over its response stream: only the input_required result, never a request.
  mcp.tool("test_streaming_elicitation", { description: "Asks for input on its own response" }, () =>
    inputRequired({ inputRequests: { name: inputRequired.elicit({ message: "Your name?", requestedSchema: nameSchema }) } }),
  );
  // Logs; without a per-request logLevel in _meta nothing may be sent.
  mcp.tool("test_logging_tool", { description: "Logs at info level" }, async (extra) => {
    await extra.mcpReq.log("info", "test_logging_tool ran");
    return text("logged");
  });
  // Only input requests the request's declared capabilities allow.
  mcp.tool("test_input_required_result_capabilities", { description: "Asks only what the client can answer" }, (extra) => {
    const envelope = { ...(extra._meta as Record<string, unknown> | undefined), ...(extra.mcpReq.envelope as Record<string, unknown> | undefined) };
    const caps = (envelope["io.modelcontextprotocol/clientCapabilities"] ?? envelope.clientCapabilities ?? {}) as { sampling?: object; elicitation?: object };
    const requests = {
      ...(caps.sampling === undefined ? {} : { question: inputRequired.createMessage({ messages: [{ role: "user", content: { type: "text", text: "Say hi" } }], maxTokens: 20 }) }),
      ...(caps.elicitation === undefined ? {} : { name: inputRequired.elicit({ message: "Your name?", requestedSchema: nameSchema }) }),
    };
    if (Object.keys(extra.mcpReq.inputResponses ?? {}).length > 0 || Object.keys(requests).length === 0) return text("done");
    return inputRequired({ inputRequests: requests });
  });
  // SEP-2243: parameters mirrored into Mcp-Param-* headers, validated by the SDK against the body.
  mcp.server.registerTool(
    "test_custom_headers",
    {
      description: "A tool whose parameters are mirrored into Mcp-Param headers",
      inputSchema: fromJsonSchema({
        type: "object",
        properties: { region: { type: "string", "x-mcp-header": "Region" }, priority: { type: "integer", "x-mcp-header": "Priority" } },
        required: ["region"],
      } as never),
    },
    (args) => text(`region=${String((args as { region?: string }).region)}`),
  );
  mcp.server.registerTool("json_schema_2020_12_tool", { description: "Tool with JSON Schema 2020-12 features", inputSchema: fromJsonSchema(JSON_SCHEMA_2020_12 as never) }, (args) =>
    text(`ok ${JSON.stringify(args)}`),
  );
}
