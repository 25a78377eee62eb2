/**
 * Protocol errors a client can rely on (MCP issue 9 §5, both eras' rules in 2025-11-25):
 * unknown tools and resources are JSON-RPC errors, and a server never sends a request the
 * client did not declare a capability for.
 */
import { describe, expect, it } from "vitest";
import { connect, post } from "./helpers/mcp.ts";
import { token } from "./helpers/tokens.ts";

describe.each(["stateful", "stateless"] as const)("protocol errors (%s)", (target) => {
  it("answers tools/call of an unknown tool with JSON-RPC -32602 and the request's id, not an isError result", async () => {
    const { client } = await connect(target, { token: await token() }, {}, { standaloneStream: false });
    const error = await client.callTool({ name: "no_such_tool", arguments: {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: -32602, message: expect.stringContaining("no_such_tool") });
    await client.close();
  });

  it("answers resources/read of an unknown URI with -32602 carrying data.uri", async () => {
    const { client } = await connect(target, { token: await token({ scopes: ["resources.read", "tools.read"] }) }, {}, { standaloneStream: false });
    const error = await client.readResource({ uri: "test://nothing-here" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: -32602, data: { uri: "test://nothing-here" } });
    expect((await client.readResource({ uri: "test://readme" })).contents[0]).toMatchObject({ text: "hello" });
    await client.close();
  });

  it("never sends sampling to a client that did not declare it: the tool fails at once instead of waiting 60 s", async () => {
    const { client } = await connect(target, { token: await token() }, {}, { standaloneStream: false });
    const started = Date.now();
    const result = await client.callTool({ name: "ask_model", arguments: { question: "?" } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain("Client does not support sampling");
    expect(Date.now() - started).toBeLessThan(10_000);
    await client.close();
  });
});

describe("raw JSON-RPC", () => {
  it("keeps the request id on the unknown-tool error", async () => {
    const res = await post("stateless", { jsonrpc: "2.0", id: "req-77", method: "tools/call", params: { name: "ghost", arguments: {} } }, { authorization: `Bearer ${await token()}` });
    const text = await res.text();
    expect(text).toContain('"id":"req-77"');
    expect(text).toContain('"code":-32602');
  });

  it("answers 400 (no session id) and 404 (unknown session) with the request's id (JSON-RPC 2.0 §5)", async () => {
    const bearer = await token();
    const missing = await post("stateful", { jsonrpc: "2.0", id: 41, method: "tools/list" }, { authorization: `Bearer ${bearer}` });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ id: 41 });
    const unknown = await post("stateful", { jsonrpc: "2.0", id: "x-42", method: "tools/list" }, { authorization: `Bearer ${bearer}`, "mcp-session-id": "A".repeat(43) });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ id: "x-42", error: { code: -32001 } });
  });

  it("keeps id null when it cannot be read: a batch, or unparseable JSON", async () => {
    const bearer = await token();
    const batch = await post("stateful", [{ jsonrpc: "2.0", id: 1, method: "tools/list" }, { jsonrpc: "2.0", id: 2, method: "tools/list" }], { authorization: `Bearer ${bearer}` });
    expect(await batch.json()).toMatchObject({ id: null });
    const garbage = await post("stateful", "{not json", { authorization: `Bearer ${bearer}` });
    expect(await garbage.json()).toMatchObject({ id: null, error: { code: -32700 } });
  });
});
