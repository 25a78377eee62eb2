import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createMcpWorker } from "../src/index.ts";
import { RESOURCE, token } from "./helpers/tokens.ts";

const worker = createMcpWorker({
  name: "lister",
  version: "1",
  transport: "stateless",
  responseMode: "json",
  audit: false,
  setup(mcp) {
    const Address = z.object({ city: z.string().optional() }).meta({ id: "list_test_address" });
    mcp.tool(
      "with_schemas",
      { title: "With schemas", description: "d", inputSchema: z.strictObject({ address: Address.optional() }), outputSchema: { ok: z.boolean() }, annotations: { readOnlyHint: true }, _meta: { x: 1 } },
      () => ({ content: [], structuredContent: { ok: true } }),
    );
    mcp.server.registerTool("raw_sdk_tool", { description: "registered on the SDK server directly" }, () => ({ content: [] }));
    mcp.tool("disabled_tool", { description: "hidden" }, () => ({ content: [] })).disable();
  },
});

describe("tools/list (JSON Schema 2020-12, MCP 2025-11-25 SEP-1613)", () => {
  it("renders every enabled tool — wrapped or registered on the SDK server — with 2020-12 schemas", async () => {
    const res = await worker.fetch(new Request(RESOURCE, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${await token()}` },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    }), env as never);
    const { result } = (await res.json()) as { result: { tools: Array<Record<string, unknown>> } };
    expect(result.tools.map((t) => t.name)).toEqual(["with_schemas", "raw_sdk_tool"]);
    const [withSchemas, raw] = result.tools as [Record<string, any>, Record<string, any>];
    expect(withSchemas).toMatchObject({
      title: "With schemas",
      description: "d",
      annotations: { readOnlyHint: true },
      _meta: { x: 1 },
      inputSchema: { $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", additionalProperties: false, $defs: { list_test_address: { type: "object" } } },
      outputSchema: { $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", properties: { ok: { type: "boolean" } } },
    });
    expect(raw).toEqual({ name: "raw_sdk_tool", description: "registered on the SDK server directly", inputSchema: { type: "object", properties: {} } });
  });
});
