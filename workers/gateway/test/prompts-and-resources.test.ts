import { env, exports } from "cloudflare:workers";
import { createTokenFactory } from "@edge-mcp/testing";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { RULES_KEY } from "../src/rules-store.ts";
import { rulesInForce } from "./helpers/rules-in-force.ts";

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
  await rulesInForce({
    rules: [
      // carol reaches the prompts and resources of notes and conformance (both answer); nobody reaches anything else.
      { when: { sub: "auth0|carol" }, allow: ["notes.*", "conformance.*"], prompts: ["notes.*", "conformance.*"], resources: ["notes.*", "conformance.*"] },
      // The review's reproduction (issue 23 finding 1): one tool of conformance allowed, then a second
      // matching rule denying conformance; and the tools of notes, with none of its prompts or resources.
      { name: "dave", when: { sub: "auth0|dave" }, allow: ["conformance.echo", "notes.*"], prompts: ["conformance.*"], resources: ["conformance.*"] },
      { name: "no conformance for dave", when: { sub: "auth0|dave" }, allow: ["!conformance.*"], prompts: ["!conformance.*"], resources: ["!conformance.*"] },
      // erin: prompts and resources by name, a deny among them.
      { when: { sub: "auth0|erin" }, prompts: ["notes.*", "!notes.greet"], resources: ["notes.readme"] },
    ],
  });
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

  it("hides a backend's prompts, resources and templates when a matching rule denies them, and reads of them fail like unknown ones (deny wins)", async () => {
    expect((await rpc("prompts/list", {}, "auth0|dave")).result!.prompts).toEqual([]);
    expect((await rpc("resources/list", {}, "auth0|dave")).result!.resources).toEqual([]);
    expect((await rpc("resources/templates/list", {}, "auth0|dave")).result!.resourceTemplates).toEqual([]);
    const denied = await rpc("prompts/get", { name: "conformance__greet", arguments: { who: "dave" } }, "auth0|dave");
    const unknown = await rpc("prompts/get", { name: "nothing__here", arguments: { who: "dave" } }, "auth0|dave");
    expect(denied.error?.code).toBe(unknown.error?.code);
    expect((await rpc("resources/read", { uri: "stub://conformance-mcp/readme" }, "auth0|dave")).error).toMatchObject({ code: -32602 });
  });

  it("does not expose a backend's prompts or resources because some of its tools are allowed: they have rules of their own", async () => {
    // dave may use every tool of notes, and no rule gives him its prompts or resources.
    const prompts = (await rpc("prompts/list", {}, "auth0|dave")).result!.prompts.map((p: { name: string }) => p.name);
    expect(prompts).not.toContain("notes__greet");
    expect((await rpc("resources/read", { uri: "stub://notes-mcp/readme" }, "auth0|dave")).error).toMatchObject({ code: -32602 });
  });

  it("decides prompts and resources item by item, by name: an allow with a deny among prompts, one resource of a backend", async () => {
    expect((await rpc("prompts/list", {}, "auth0|erin")).result!.prompts).toEqual([]); // notes' only prompt is greet, denied
    expect((await rpc("resources/list", {}, "auth0|erin")).result!.resources.map((r: { uri: string }) => r.uri)).toEqual(["stub://notes-mcp/readme"]);
    expect((await rpc("resources/templates/list", {}, "auth0|erin")).result!.resourceTemplates).toEqual([]); // the template is "note", not allowed
    expect((await rpc("resources/read", { uri: "stub://notes-mcp/notes/1" }, "auth0|erin")).error).toMatchObject({ code: -32602 });
  });
});
