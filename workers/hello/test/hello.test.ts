import { exports } from "cloudflare:workers";
import { connectMcp, createTokenFactory, textOf } from "@edge-mcp/testing";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";

const RESOURCE = "https://hello-mcp.example.test/mcp";
const token = createTokenFactory(inject("privateJwk"), { issuer: "https://tenant.example-auth.test/", audience: RESOURCE });
const send = (request: Request) => exports.default.fetch(request);

describe("hello-mcp", () => {
  it("advertises its own read-only scopes (mcp.json scopeProfile readonly), never tools.write (RFC 9728 §2, RFC 6750 §3)", async () => {
    const prm = (await (await send(new Request("https://hello-mcp.example.test/.well-known/oauth-protected-resource/mcp"))).json()) as { scopes_supported: string[] };
    expect(prm.scopes_supported).toEqual(["resources.read", "prompts.read", "tools.read"]);
    const challenge = await send(new Request(RESOURCE, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }));
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get("www-authenticate")).toContain('scope="resources.read prompts.read tools.read"');
  });

  it("lists echo, whoami and time", async () => {
    const { client } = await connectMcp({ url: RESOURCE, fetch: send, holder: { token: await token() } });
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(["echo", "time", "whoami"]);
    await client.close();
  });

  it("echoes text", async () => {
    const { client } = await connectMcp({ url: RESOURCE, fetch: send, holder: { token: await token() } });
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "héllo ✓" } }))).toBe("héllo ✓");
    await client.close();
  });

  it("tells the caller who they are (subject, client, scopes) from the verified token", async () => {
    const { client } = await connectMcp({ url: RESOURCE, fetch: send, holder: { token: await token({ sub: "auth0|bob", client: "cursor", scopes: ["tools.read"] }) } });
    const result = await client.callTool({ name: "whoami", arguments: {} });
    expect(result.structuredContent).toEqual({ subject: "auth0|bob", clientId: "cursor", scopes: ["tools.read"] });
    await client.close();
  });

  it("tells the time as ISO 8601", async () => {
    const { client } = await connectMcp({ url: RESOURCE, fetch: send, holder: { token: await token() } });
    expect(textOf(await client.callTool({ name: "time", arguments: {} }))).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await client.close();
  });

  it("refuses a token without tools.read with 403 naming the scope", async () => {
    const res = await send(new Request(RESOURCE, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${await token({ scopes: ["resources.read"] })}` },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "x" } } }),
    }));
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toContain('scope="tools.read"');
  });

  it("answers without a token with 401 pointing at its metadata", async () => {
    const res = await send(new Request(RESOURCE, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }));
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('resource_metadata="https://hello-mcp.example.test/.well-known/oauth-protected-resource/mcp"');
  });
});
