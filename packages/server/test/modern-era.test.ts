/**
 * MCP 2026-07-28 beside the 2025 session protocol on one endpoint (issue 9): modern requests
 * are served statelessly by the SDK's modern path, behind the same auth, scopes, rate limits
 * and audit as legacy ones. Real `@modelcontextprotocol/client` 2.x, real RS256 tokens.
 */
import { describe, expect, it } from "vitest";
import { auditLog } from "./fixtures/test-worker.ts";
import { connectModern, MODERN, modernPost } from "./helpers/modern.ts";
import { send } from "./helpers/mcp.ts";
import { PRM_URL, RESOURCE, token } from "./helpers/tokens.ts";

const textOf = (result: unknown) => ((result as { content: Array<{ text: string }> }).content)[0]!.text;

describe.each(["stateful", "stateless"] as const)("MCP 2026-07-28 on a %s server", (target) => {
  it("lists and calls tools with a modern client: no initialize, no session, the verified caller reaches the tool", async () => {
    const client = await connectModern(target, await token({ sub: "auth0|modern", client: "modern-client" }));
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("echo");
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "hi" } }))).toBe("hi");
    const who = JSON.parse(textOf(await client.callTool({ name: "whoami", arguments: {} }))) as { auth: { subject: string; clientId: string }; headers: Record<string, string> };
    expect(who.auth).toMatchObject({ subject: "auth0|modern", clientId: "modern-client" });
    expect(Object.keys(who.headers)).not.toContain("authorization");
    await client.close();
  });

  it("answers server/discover with the supported versions, resultType and cache hints", async () => {
    const res = await modernPost(target, "server/discover", {}, { authorization: `Bearer ${await token()}` });
    expect(res.status).toBe(200);
    const { result } = (await res.json()) as { result: Record<string, unknown> };
    expect(result).toMatchObject({ resultType: "complete", cacheScope: expect.any(String), ttlMs: expect.any(Number) });
    expect(JSON.stringify(result)).toContain(MODERN);
  });

  it("marks a tools list private: it depends on the caller's scopes (cacheScope)", async () => {
    const res = await modernPost(target, "tools/list", {}, { authorization: `Bearer ${await token()}` });
    expect(await res.json()).toMatchObject({ result: { resultType: "complete", cacheScope: "private" } });
  });

  it("answers a modern request without a token with 401 and the RFC 9728 challenge, like a legacy one", async () => {
    const res = await modernPost(target, "tools/list", {});
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain(`resource_metadata="${PRM_URL}"`);
  });

  it("refuses a tools.write tool to a read-only token with the same 403 step-up challenge", async () => {
    const res = await modernPost(target, "tools/call", { name: "bump", arguments: {} }, { authorization: `Bearer ${await token({ scopes: ["tools.read"] })}` });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toContain('error="insufficient_scope", error_description="This operation needs the scopes: tools.write.", scope="tools.write"');
  });

  it("answers an unsupported modern version with 400 / -32022 naming the supported ones", async () => {
    const res = await send(target, new Request(RESOURCE, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2099-01-01", "mcp-method": "tools/list", authorization: `Bearer ${await token()}` },
      body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list", params: { _meta: { "io.modelcontextprotocol/protocolVersion": "2099-01-01", "io.modelcontextprotocol/clientCapabilities": {} } } }),
    }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { id: unknown; error: { code: number; data: { supported: string[] } } };
    expect(body).toMatchObject({ id: 9, error: { code: -32022 } });
    expect(body.error.data.supported).toContain(MODERN);
  });

  it("answers a mismatching Mcp-Name header with 400 / -32020", async () => {
    const res = await modernPost(target, "tools/call", { name: "echo", arguments: { text: "x" } }, { authorization: `Bearer ${await token()}`, "mcp-name": "whoami" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: -32020 } });
  });

  it("writes an audit line with era and protocol version", async () => {
    const sub = `auth0|audit-modern-${crypto.randomUUID()}`;
    const res = await modernPost(target, "tools/list", {}, { authorization: `Bearer ${await token({ sub })}` });
    await res.text();
    expect(auditLog.events.find((e) => e.type === "mcp_request" && e.subject === sub)).toMatchObject({ era: "modern", protocolVersion: MODERN, methods: ["tools/list"], status: 200 });
  });
});

describe("GET and DELETE on the modern era", () => {
  it.each(["GET", "DELETE"])("answers %s naming 2026-07-28 with 405 and Allow: POST", async (method) => {
    const res = await send("stateful", new Request(RESOURCE, { method, headers: { "mcp-protocol-version": MODERN, authorization: `Bearer ${await token()}` } }));
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });
});
