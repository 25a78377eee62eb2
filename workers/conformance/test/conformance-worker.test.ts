import { exports } from "cloudflare:workers";
import { connectMcp, createTokenFactory, textOf } from "@edge-mcp/testing";
import { CreateMessageRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { redPixelPngBase64, silentWavBase64 } from "../src/fixtures.ts";

const RESOURCE = "https://conformance-mcp.example.test/mcp";
const token = createTokenFactory(inject("privateJwk"), { issuer: "https://tenant.example-auth.test/", audience: RESOURCE });
const open = async (capabilities: Record<string, object> = {}) =>
  connectMcp({ url: RESOURCE, fetch: (r) => exports.default.fetch(r), holder: { token: await token({ scopes: ["tools.read", "resources.read", "prompts.read"] }) }, capabilities });

const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

describe("conformance-mcp fixtures (with real auth)", () => {
  it("offers every tool, resource and prompt the conformance suite names", async () => {
    const { client } = await open();
    const tools = (await client.listTools()).tools.map((t) => t.name);
    for (const name of ["test_simple_text", "test_image_content", "test_audio_content", "test_embedded_resource", "test_multiple_content_types",
      "test_tool_with_logging", "test_error_handling", "test_tool_with_progress", "test_sampling", "test_elicitation",
      "test_elicitation_sep1034_defaults", "test_elicitation_sep1330_enums", "test_reconnection", "json_schema_2020_12_tool"]) {
      expect(tools).toContain(name);
    }
    const resources = (await client.listResources()).resources.map((r) => r.uri);
    expect(resources).toEqual(expect.arrayContaining(["test://static-text", "test://static-binary", "test://watched-resource"]));
    const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
    expect(prompts).toEqual(expect.arrayContaining(["test_simple_prompt", "test_prompt_with_arguments", "test_prompt_with_embedded_resource", "test_prompt_with_image"]));
    await client.close();
  });

  it("returns the exact simple text and the isError result the suite expects", async () => {
    const { client } = await open();
    expect(textOf(await client.callTool({ name: "test_simple_text", arguments: {} }))).toBe("This is a simple text response for testing.");
    const failed = await client.callTool({ name: "test_error_handling", arguments: {} });
    expect(failed.isError).toBe(true);
    await client.close();
  });

  it("makes a well-formed PNG (signature, IHDR CRC) and WAV (RIFF/WAVE header, sizes)", () => {
    const png = bytes(redPixelPngBase64());
    expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(new TextDecoder().decode(png.slice(12, 16))).toBe("IHDR");
    const wav = bytes(silentWavBase64());
    const view = new DataView(wav.buffer);
    expect(new TextDecoder().decode(wav.slice(0, 4))).toBe("RIFF");
    expect(view.getUint32(4, true)).toBe(wav.length - 8);
    expect(new TextDecoder().decode(wav.slice(8, 12))).toBe("WAVE");
  });

  it("substitutes the template id and completes prompt arguments", async () => {
    const { client } = await open();
    const read = await client.readResource({ uri: "test://template/123/data" });
    expect(JSON.parse((read.contents[0] as { text: string }).text)).toEqual({ id: "123", templateTest: true, data: "Data for ID: 123" });
    const completion = await client.complete({ ref: { type: "ref/prompt", name: "test_prompt_with_arguments" }, argument: { name: "arg1", value: "par" } });
    expect(completion.completion.values).toEqual(["paris", "park", "party"]);
    await client.close();
  });

  it("round-trips test_sampling through the client", async () => {
    const { client } = await open({ sampling: {} });
    client.setRequestHandler(CreateMessageRequestSchema, () => ({ role: "assistant", model: "m", content: { type: "text", text: "42" } }));
    expect(textOf(await client.callTool({ name: "test_sampling", arguments: { prompt: "meaning?" } }))).toBe("LLM response: 42");
    await client.close();
  });
});

describe("conformance-mcp to a 2026-07-28 client", () => {
  it("offers no tool that sends the client a request mid-call (that era has none; its input rounds are the test_input_required_* tools)", async () => {
    const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": { sampling: {}, elicitation: {} }, "io.modelcontextprotocol/clientInfo": { name: "t", version: "1" } };
    const res = await exports.default.fetch(new Request(RESOURCE, {
      method: "POST",
      headers: { authorization: `Bearer ${await token({ scopes: ["tools.read"] })}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/list" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: meta } }),
    }));
    const text = await res.text();
    const body = JSON.parse(text.startsWith("{") ? text : text.split("\n").find((l) => l.startsWith("data:"))!.slice(5)) as { result: { tools: Array<{ name: string }> } };
    const names = body.result.tools.map((t) => t.name);
    expect(names).toContain("test_simple_text");
    expect(names).toContain("test_input_required_result_elicitation");
    for (const hidden of ["test_sampling", "test_elicitation", "test_elicitation_sep1034_defaults", "test_elicitation_sep1330_enums"]) expect(names).not.toContain(hidden);
  });
});
