import { env, exports } from "cloudflare:workers";
import { createTokenFactory } from "@edge-mcp/testing";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { RULES_KEY } from "../src/rules-store.ts";

/** Prompts and resources of the backends (stand-ins: test/fixtures/stub-backends.ts) through the gateway. */
const RESOURCE = "https://gateway-mcp.example.test/mcp";
const token = createTokenFactory(inject("privateJwk"), { issuer: "https://tenant.example-auth.test/", audience: RESOURCE });

async function rpc(method: string, params: Record<string, unknown> = {}, sub = "auth0|carol") {
  const bearer = await token({ sub, scopes: ["tools.read", "prompts.read", "resources.read"] });
  const target = typeof params.name === "string" ? params.name : typeof params.uri === "string" ? params.uri : undefined;
  const res = await exports.default.fetch(new Request(RESOURCE, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": method, ...(target === undefined ? {} : { "mcp-name": target }) },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: { ...params, _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } }),
  }));
  const text = await res.text();
  return (res.headers.get("content-type")?.startsWith("text/event-stream") ? JSON.parse(text.split("\n").filter((l) => l.startsWith("data:")).at(-1)!.slice(5)) : JSON.parse(text)) as { result?: Record<string, any>; error?: { code: number; message: string; data?: unknown } };
}

beforeAll(async () => {
  // carol reaches notes and conformance (both answer); nobody reaches anything else.
  await env.GATEWAY_RULES.put(RULES_KEY, JSON.stringify({ rules: [{ when: { sub: "auth0|carol" }, allow: ["notes.*", "conformance.*"] }] }));
});

describe("prompts and resources through the gateway", () => {
  it("lists the reachable backends' prompts as {backend}__{prompt} and relays prompts/get with its arguments", async () => {
    const listed = (await rpc("prompts/list")).result!.prompts.map((p: { name: string }) => p.name).sort();
    expect(listed).toEqual(["conformance__greet", "notes__greet"]);
    const got = await rpc("prompts/get", { name: "notes__greet", arguments: { who: "carol" } });
    expect(got.result!.messages).toEqual([{ role: "user", content: { type: "text", text: "hello carol from notes-mcp" } }]);
  });

  it("keeps resource URIs as the backends give them, reads each from its own backend for the caller, and serves a URI two backends claim from neither", async () => {
    const uris = (await rpc("resources/list")).result!.resources.map((r: { uri: string }) => r.uri).sort();
    expect(uris).toEqual(["stub://conformance-mcp/readme", "stub://notes-mcp/readme"]);
    const read = await rpc("resources/read", { uri: "stub://notes-mcp/readme" });
    expect(read.result!.contents).toEqual([{ uri: "stub://notes-mcp/readme", text: "read by notes-mcp for auth0|carol" }]);
    expect((await rpc("resources/read", { uri: "stub://shared" })).error).toMatchObject({ code: -32602, data: { uri: "stub://shared" } });
  });

  it("resolves template URIs through the gateway and passes a backend's not-found on with its uri", async () => {
    const templates = (await rpc("resources/templates/list")).result!.resourceTemplates.map((t: { uriTemplate: string }) => t.uriTemplate).sort();
    expect(templates).toEqual(["stub://conformance-mcp/notes/{id}", "stub://notes-mcp/notes/{id}"]);
    expect((await rpc("resources/read", { uri: "stub://notes-mcp/notes/42" })).result!.contents[0].text).toBe("read by notes-mcp for auth0|carol");
    expect((await rpc("resources/read", { uri: "stub://notes-mcp/notes/missing" })).error).toMatchObject({ code: -32602, data: { uri: "stub://notes-mcp/notes/missing" } });
  });

  it("shows nothing of a backend the caller's rules do not reach", async () => {
    expect((await rpc("prompts/list", {}, "auth0|mallory")).result!.prompts).toEqual([]);
    expect((await rpc("resources/read", { uri: "stub://notes-mcp/readme" }, "auth0|mallory")).error).toMatchObject({ code: -32602 });
  });
});
