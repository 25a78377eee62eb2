import { countingBody } from "@edge-mcp/testing";
import { describe, expect, it } from "vitest";
import { INITIALIZE, post, send, type Target } from "./helpers/mcp.ts";
import { PRM_URL, RESOURCE, token } from "./helpers/tokens.ts";

const headersOf = (bearer: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${bearer}`, ...extra });
async function rpcError(res: Response) {
  return ((await res.json()) as { error: { code: number; message: string } }).error;
}

describe.each<Target>(["stateful", "stateless"])("HTTP errors on the MCP endpoint (%s)", (target) => {
  it("answers a request without a token with 401 and a challenge carrying resource_metadata and scope, but no error (RFC 6750 §3.1)", async () => {
    const res = await post(target, INITIALIZE);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer scope="resources.read prompts.read tools.read tools.write", resource_metadata="${PRM_URL}"`,
    );
  });

  it("answers an expired token with 401 error=\"invalid_token\"", async () => {
    const res = await post(target, INITIALIZE, headersOf(await token({ expiresInSeconds: -600 })));
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(res.headers.get("www-authenticate")).toContain(`resource_metadata="${PRM_URL}"`);
  });

  it("answers a token for another MCP server (audience) with 401 (RFC 8707)", async () => {
    const res = await post(target, INITIALIZE, headersOf(await token({ aud: "https://other-mcp.example.test/mcp" })));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ reason: "wrong_audience" });
  });

  it("rejects a token in the query string with 400 invalid_request", async () => {
    const bearer = await token();
    const res = await send(target, new Request(`${RESOURCE}?access_token=${bearer}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify(INITIALIZE),
    }));
    expect(res.status).toBe(400);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_request"');
  });

  it("answers unparseable JSON with 400 and JSON-RPC -32700", async () => {
    const res = await post(target, "{not json", headersOf(await token()));
    expect(res.status).toBe(400);
    expect(await rpcError(res)).toMatchObject({ code: -32700 });
  });

  it.each([
    ["a JSON value that is not JSON-RPC", { hello: "world" }],
    ["an empty batch", []],
    ["a batch of 1,000 pings (batch bomb)", Array.from({ length: 1000 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "ping" }))],
    ["initialize inside a batch", [INITIALIZE, { jsonrpc: "2.0", id: 9, method: "ping" }]],
    ["jsonrpc 1.0", { jsonrpc: "1.0", id: 1, method: "ping" }],
  ])("answers %s with 400 and JSON-RPC -32600", async (_name, body) => {
    const res = await post(target, body, headersOf(await token()));
    expect(res.status).toBe(400);
    expect(await rpcError(res)).toMatchObject({ code: -32600 });
  });

  it("answers an unsupported MCP-Protocol-Version with 400", async () => {
    const res = await post(target, INITIALIZE, headersOf(await token(), { "mcp-protocol-version": "1999-01-01" }));
    expect(res.status).toBe(400);
    expect((await rpcError(res)).message).toContain("Unsupported MCP-Protocol-Version");
  });

  it("answers a declared body over 1 MiB with 413 before authenticating", async () => {
    const res = await send(target, new Request(RESOURCE, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(2 * 1024 * 1024) },
      body: "x",
    }));
    expect(res.status).toBe(413);
  });

  it("answers a streamed (chunked) body over 1 MiB with 413", async () => {
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ >= 20) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await send(target, new Request(RESOURCE, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${await token()}` },
      body,
      duplex: "half",
    } as RequestInit));
    expect(res.status).toBe(413);
  });

  it("answers a non-JSON content type with 415", async () => {
    const res = await post(target, INITIALIZE, headersOf(await token(), { "content-type": "text/plain" }));
    expect(res.status).toBe(415);
  });

  it("answers PUT with 405 and an Allow header", async () => {
    const res = await send(target, new Request(RESOURCE, { method: "PUT", headers: headersOf(await token()) }));
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe(target === "stateful" ? "GET, POST, DELETE" : "POST");
  });
});

describe("stateful session errors", () => {
  it("answers a non-initialize request without Mcp-Session-Id with 400", async () => {
    const res = await post("stateful", { jsonrpc: "2.0", id: 2, method: "tools/list" }, headersOf(await token()));
    expect(res.status).toBe(400);
    expect((await rpcError(res)).message).toContain("Mcp-Session-Id");
  });

  it.each([
    ["a well-formed but unknown session id", "A".repeat(43)],
    ["a malformed session id", "../../etc/passwd"],
    ["a session id with a trailing newline smuggled in", `${"B".repeat(43)}x`],
  ])("answers %s with 404 (JSON-RPC -32001)", async (_name, id) => {
    const res = await post("stateful", { jsonrpc: "2.0", id: 2, method: "tools/list" }, headersOf(await token(), { "mcp-session-id": id }));
    expect(res.status).toBe(404);
    expect(await rpcError(res)).toMatchObject({ code: -32001 });
  });

  it("answers initialize that carries an Mcp-Session-Id with 400", async () => {
    const res = await post("stateful", INITIALIZE, headersOf(await token(), { "mcp-session-id": "C".repeat(43) }));
    expect(res.status).toBe(400);
  });
});

describe("scope checks before dispatch (stateless; stateful in sessions.test.ts)", () => {
  it("answers a readonly token calling a tools.write tool with 403 insufficient_scope naming the scope (step-up)", async () => {
    const res = await post("stateless", { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "bump", arguments: {} } },
      headersOf(await token({ scopes: ["tools.read"] })));
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer error="insufficient_scope", error_description="This operation needs the scopes: tools.write.", scope="tools.write", resource_metadata="${PRM_URL}"`,
    );
  });

  it("answers resources/read without resources.read with 403", async () => {
    const res = await post("stateless", { jsonrpc: "2.0", id: 2, method: "resources/read", params: { uri: "test://readme" } }, headersOf(await token({ scopes: ["tools.read"] })));
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toContain('scope="resources.read"');
  });

  it.each([
    ["a prompt argument needs prompts.read", { type: "ref/prompt", name: "greeting" }, "prompts.read"],
    ["a resource template argument needs resources.read", { type: "ref/resource", uri: "test://notes/{id}" }, "resources.read"],
  ])("answers completion/complete without the scope of what it completes with 403: %s", async (_what, ref, scope) => {
    const completion = { jsonrpc: "2.0", id: 3, method: "completion/complete", params: { ref, argument: { name: "x", value: "" } } };
    const res = await post("stateless", completion, headersOf(await token({ scopes: ["tools.read"] })));
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toContain(`scope="${scope}"`);
  });

  it("answers tools/list without tools.read with 403 (a token valid for this server, but for resources only)", async () => {
    const res = await post("stateless", { jsonrpc: "2.0", id: 4, method: "tools/list", params: {} }, headersOf(await token({ scopes: ["resources.read"] })));
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toContain('scope="tools.read"');
  });

  it("answers a batch whose second message needs tools.write with 403 naming the union of scopes", async () => {
    const res = await post("stateless", [
      { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "a" } } },
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "bump", arguments: {} } },
    ], headersOf(await token({ scopes: ["tools.read"] })));
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toContain('scope="tools.read tools.write"');
  });
});

describe("bodies on GET and DELETE (issue 13 §3)", () => {

  it.each(["DELETE"])("refuses a %s with a 64 MiB chunked form body and no token with 400, reading none of it", async (method) => {
    const { stream, counter } = countingBody(64 * 1024 * 1024);
    const res = await send("stateful", new Request(RESOURCE, { method, headers: { "content-type": "application/x-www-form-urlencoded", "mcp-session-id": "x".repeat(43) }, body: stream, duplex: "half" } as RequestInit));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number; message: string } }).error).toMatchObject({ code: -32600, message: `Invalid Request: ${method} requests to the MCP endpoint must not carry a body.` });
    expect(counter.pulled).toBeLessThanOrEqual(65_536);
  });

  it("still answers a bodiless DELETE as before (no token → 401)", async () => {
    const res = await send("stateful", new Request(RESOURCE, { method: "DELETE", headers: { "mcp-session-id": "x".repeat(43) } }));
    expect(res.status).toBe(401);
  });
});
