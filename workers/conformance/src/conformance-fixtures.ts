import type { EdgeMcpServer, EdgeRequestExtra, SetupContext } from "@edge-mcp/server";
import { completable, ResourceTemplate } from "@modelcontextprotocol/server";
import { z } from "zod";
import { redPixelPngBase64, silentWavBase64 } from "./fixtures.ts";
import { registerInputRequiredFixtures } from "./input-required-fixtures.ts";
import { registerModernFixtures } from "./modern-fixtures.ts";
import { registerTaskFixtures } from "./task-fixtures.ts";

const PNG = redPixelPngBase64();
const WAV = silentWavBase64();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends a log message on the stream of the request being served. */
function log(extra: EdgeRequestExtra, level: "info" | "debug", data: string) {
  return extra.sendNotification({ method: "notifications/message", params: { level, logger: "conformance", data } });
}

/** JSON Schema 2020-12 features the suite checks survive tools/list: $schema, $defs, additionalProperties. */
const Address = z.object({ street: z.string().optional(), city: z.string().optional() }).meta({ id: "address" });

export function setupConformanceFixtures(mcp: EdgeMcpServer, ctx: SetupContext<unknown>): void {
  const { server } = mcp;
  registerInputRequiredFixtures(mcp);
  registerModernFixtures(mcp, ctx);
  registerTaskFixtures(mcp);

  // --- tools --------------------------------------------------------------------------------
  mcp.tool("test_simple_text", { description: "Returns simple text" }, () => ({
    content: [{ type: "text", text: "This is a simple text response for testing." }],
  }));
  mcp.tool("test_image_content", { description: "Returns an image" }, () => ({
    content: [{ type: "image", data: PNG, mimeType: "image/png" }],
  }));
  mcp.tool("test_audio_content", { description: "Returns audio" }, () => ({
    content: [{ type: "audio", data: WAV, mimeType: "audio/wav" }],
  }));
  mcp.tool("test_embedded_resource", { description: "Returns an embedded resource" }, () => ({
    content: [{ type: "resource", resource: { uri: "test://embedded-resource", mimeType: "text/plain", text: "This is an embedded resource content." } }],
  }));
  mcp.tool("test_multiple_content_types", { description: "Returns text, image and a resource" }, () => ({
    content: [
      { type: "text", text: "Multiple content types test:" },
      { type: "image", data: PNG, mimeType: "image/png" },
      { type: "resource", resource: { uri: "test://mixed-content-resource", mimeType: "application/json", text: JSON.stringify({ test: "data", value: 123 }) } },
    ],
  }));
  mcp.tool("test_tool_with_logging", { description: "Logs three messages while it runs" }, async (extra) => {
    await log(extra, "info", "Tool execution started");
    await sleep(50);
    await log(extra, "info", "Tool processing data");
    await sleep(50);
    await log(extra, "info", "Tool execution completed");
    return { content: [{ type: "text", text: "Tool with logging executed successfully" }] };
  });
  mcp.tool("test_error_handling", { description: "Always fails" }, () => ({
    isError: true,
    content: [{ type: "text", text: "This tool intentionally returns an error for testing" }],
  }));
  mcp.tool("test_tool_with_progress", { description: "Reports progress 0, 50, 100" }, async (extra) => {
    const progressToken = extra._meta?.progressToken;
    for (const progress of [0, 50, 100]) {
      if (progressToken !== undefined) {
        await extra.sendNotification({ method: "notifications/progress", params: { progressToken, progress, total: 100 } });
      }
      if (progress < 100) await sleep(50);
    }
    return { content: [{ type: "text", text: "Tool with progress executed successfully" }] };
  });
  // Tools that send the client a request (sampling, elicitation) mid-call: 2025 sessions only. MCP
  // 2026-07-28 has no server→client requests (its input rounds are the test_input_required_* tools),
  // so a client of that era is not offered tools that could only fail there.
  if (ctx.era === "legacy") {
    mcp.tool("test_sampling", { description: "Asks the client's LLM", inputSchema: { prompt: z.string().describe("The prompt to send to the LLM") } }, async ({ prompt }, extra) => {
      const result = await extra.mcpReq.requestSampling(
        { messages: [{ role: "user", content: { type: "text", text: prompt } }], maxTokens: 100 },
        { relatedRequestId: extra.requestId },
      );
      const first = Array.isArray(result.content) ? result.content[0] : result.content;
      const text = first?.type === "text" ? first.text : JSON.stringify(result.content);
      return { content: [{ type: "text", text: `LLM response: ${text}` }] };
    });
    mcp.tool("test_elicitation", { description: "Asks the user", inputSchema: { message: z.string().describe("The message to show the user") } }, async ({ message }, extra) => {
      const result = await extra.mcpReq.elicitInput(
        {
          message,
          requestedSchema: {
            type: "object",
            properties: {
              username: { type: "string", description: "User's response" },
              email: { type: "string", description: "User's email address" },
            },
            required: ["username", "email"],
          },
        },
        { relatedRequestId: extra.requestId },
      );
      return { content: [{ type: "text", text: `User response: ${JSON.stringify({ action: result.action, content: result.content })}` }] };
    });
    mcp.tool("test_elicitation_sep1034_defaults", { description: "Elicitation with defaults (SEP-1034)" }, async (extra) => {
      const result = await extra.mcpReq.elicitInput(
        {
          message: "Please review your details",
          requestedSchema: {
            type: "object",
            properties: {
              name: { type: "string", default: "John Doe" },
              age: { type: "integer", default: 30 },
              score: { type: "number", default: 95.5 },
              status: { type: "string", enum: ["active", "inactive", "pending"], default: "active" },
              verified: { type: "boolean", default: true },
            },
          },
        },
        { relatedRequestId: extra.requestId },
      );
      return { content: [{ type: "text", text: `Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}` }] };
    });
    mcp.tool("test_elicitation_sep1330_enums", { description: "Elicitation with every enum form (SEP-1330)" }, async (extra) => {
      const result = await extra.mcpReq.elicitInput(
        {
          message: "Pick options",
          requestedSchema: {
            type: "object",
            properties: {
              untitledSingle: { type: "string", enum: ["option1", "option2", "option3"] },
              titledSingle: {
                type: "string",
                oneOf: [
                  { const: "value1", title: "First Option" },
                  { const: "value2", title: "Second Option" },
                  { const: "value3", title: "Third Option" },
                ],
              },
              legacyEnum: { type: "string", enum: ["opt1", "opt2", "opt3"], enumNames: ["Option One", "Option Two", "Option Three"] },
              untitledMulti: { type: "array", items: { type: "string", enum: ["option1", "option2", "option3"] } },
              titledMulti: {
                type: "array",
                items: {
                  anyOf: [
                    { const: "value1", title: "First Choice" },
                    { const: "value2", title: "Second Choice" },
                    { const: "value3", title: "Third Choice" },
                  ],
                },
              },
            },
          },
        } as never,
        { relatedRequestId: extra.requestId },
      );
      return { content: [{ type: "text", text: `Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}` }] };
    });
  }

  mcp.tool("test_reconnection", { description: "Closes its SSE stream mid-call when the transport supports resumption (SEP-1699)" }, async (extra) => {
    extra.http?.closeSSE?.();
    await sleep(50);
    return { content: [{ type: "text", text: "Reconnection test completed" }] };
  });


  // --- resources ----------------------------------------------------------------------------
  server.registerResource("static-text", "test://static-text", { description: "A static text resource", mimeType: "text/plain" }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: "text/plain", text: "This is the content of the static text resource." }],
  }));
  server.registerResource("static-binary", "test://static-binary", { description: "A static binary resource", mimeType: "image/png" }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: "image/png", blob: PNG }],
  }));
  server.registerResource("watched-resource", "test://watched-resource", { description: "A resource clients can subscribe to", mimeType: "text/plain" }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: "text/plain", text: "Watched resource content." }],
  }));
  server.registerResource(
    "template",
    new ResourceTemplate("test://template/{id}/data", { list: undefined }),
    { description: "A templated resource", mimeType: "application/json" },
    (uri, { id }) => ({
      contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${String(id)}` }) }],
    }),
  );
  const subscriptions = new Set<string>();
  server.server.setRequestHandler("resources/subscribe", (request) => {
    subscriptions.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler("resources/unsubscribe", (request) => {
    subscriptions.delete(request.params.uri);
    return {};
  });

  // --- prompts ------------------------------------------------------------------------------
  server.registerPrompt("test_simple_prompt", { description: "A simple prompt" }, () => ({
    messages: [{ role: "user", content: { type: "text", text: "This is a simple prompt for testing." } }],
  }));
  server.registerPrompt(
    "test_prompt_with_arguments",
    {
      description: "A prompt with arguments",
      argsSchema: {
        arg1: completable(z.string().describe("First test argument"), (value) =>
          ["paris", "park", "party", "test", "testing"].filter((v) => v.startsWith(value)),
        ),
        arg2: z.string().describe("Second test argument"),
      },
    },
    ({ arg1, arg2 }) => ({ messages: [{ role: "user", content: { type: "text", text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } }] }),
  );
  server.registerPrompt(
    "test_prompt_with_embedded_resource",
    { description: "A prompt embedding a resource", argsSchema: { resourceUri: z.string().describe("URI of the resource to embed") } },
    ({ resourceUri }) => ({
      messages: [
        { role: "user", content: { type: "resource", resource: { uri: resourceUri, mimeType: "text/plain", text: "Embedded resource content for testing." } } },
        { role: "user", content: { type: "text", text: "Please process the embedded resource above." } },
      ],
    }),
  );
  server.registerPrompt("test_prompt_with_image", { description: "A prompt with an image" }, () => ({
    messages: [
      { role: "user", content: { type: "image", data: PNG, mimeType: "image/png" } },
      { role: "user", content: { type: "text", text: "Please analyze the image above." } },
    ],
  }));
}
