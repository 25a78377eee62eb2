import { evictDurableObject, listDurableObjectIds, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { connect, post, send, sessionStub, type TokenHolder } from "./helpers/mcp.ts";
import { PRM_URL, RESOURCE, token } from "./helpers/tokens.ts";

const textOf = (result: unknown) => ((result as { content: Array<{ text: string }> }).content)[0]!.text;

/** A `tools/call bump` presented with `bearer` in the session `sessionId` (e.g. another user's). */
function bumpInSession(bearer: string, sessionId: string): Promise<Response> {
  return post("stateful", { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "bump", arguments: {} } }, {
    authorization: `Bearer ${bearer}`,
    "mcp-session-id": sessionId,
    "mcp-protocol-version": "2025-11-25",
  });
}

async function storageKeys(sessionId: string): Promise<string[]> {
  return runInDurableObject(sessionStub(sessionId), async (_instance, state) => [...(await state.storage.list()).keys()]);
}

describe("stateful sessions (one Durable Object per session)", () => {
  it("binds a session to sub + client: user B with user A's session id gets 404 and A's session is unaffected", async () => {
    const alice = await connect("stateful", { token: await token({ sub: "auth0|alice", scopes: ["tools.read", "tools.write"] }) });
    const sessionId = alice.transport.sessionId!;
    expect(textOf(await alice.client.callTool({ name: "bump", arguments: {} }))).toBe("1");
    const before = await storageKeys(sessionId);

    const mallory = await token({ sub: "auth0|mallory", scopes: ["tools.read", "tools.write"] });
    const hijack = await bumpInSession(mallory, sessionId);
    expect(hijack.status).toBe(404);
    const getStream = await send("stateful", new Request(RESOURCE, {
      headers: { authorization: `Bearer ${mallory}`, "mcp-session-id": sessionId, accept: "text/event-stream" },
    }));
    expect(getStream.status).toBe(404);
    const del = await send("stateful", new Request(RESOURCE, { method: "DELETE", headers: { authorization: `Bearer ${mallory}`, "mcp-session-id": sessionId } }));
    expect(del.status).toBe(404);

    expect(await storageKeys(sessionId)).toEqual(before);
    expect(textOf(await alice.client.callTool({ name: "bump", arguments: {} }))).toBe("2");
    await alice.client.close();
  });

  it("keeps tool storage out of the framework's keys: a tool writing `binding` cannot see or move the session's owner (issue 13 §10)", async () => {
    const alice = await connect("stateful", { token: await token({ sub: "auth0|alice", scopes: ["tools.read", "tools.write"] }) }, {}, { standaloneStream: false });
    const sessionId = alice.transport.sessionId!;
    expect(textOf(await alice.client.callTool({ name: "clobber_binding", arguments: { subject: "auth0|mallory" } }))).toBe(JSON.stringify({ seen: null }));
    const mallory = await token({ sub: "auth0|mallory", scopes: ["tools.read", "tools.write"] });
    const hijack = await bumpInSession(mallory, sessionId);
    expect(hijack.status).toBe(404);
    await hijack.body?.cancel();
    await evictDurableObject(sessionStub(sessionId)); // rebuilt from the framework's stored initialize, not the tool's
    expect(textOf(await alice.client.callTool({ name: "bump", arguments: {} }))).toBe("1");
    expect((await storageKeys(sessionId)).filter((k) => !k.startsWith("tool:")).sort()).toEqual(["binding", "init", "lastSeen", "sessionId"]);
    await alice.client.close();
  });

  it("treats the same user through another client as a stranger (404)", async () => {
    const a = await connect("stateful", { token: await token({ client: "client-a" }) });
    const res = await post("stateful", { jsonrpc: "2.0", id: 3, method: "tools/list" }, {
      authorization: `Bearer ${await token({ client: "client-b" })}`,
      "mcp-session-id": a.transport.sessionId!,
    });
    expect(res.status).toBe(404);
    await a.client.close();
  });

  it("applies refreshed scopes mid-session: 403 with the old token, success with the new one, same session", async () => {
    const holder: TokenHolder = { token: await token({ scopes: ["tools.read"] }) };
    const { client, transport } = await connect("stateful", holder);
    const sessionId = transport.sessionId!;
    const denied = await post("stateful", { jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "bump", arguments: {} } }, {
      authorization: `Bearer ${holder.token}`,
      "mcp-session-id": sessionId,
    });
    expect(denied.status).toBe(403);
    expect(denied.headers.get("www-authenticate")).toBe(
      `Bearer error="insufficient_scope", error_description="This operation needs the scopes: tools.write.", scope="tools.write", resource_metadata="${PRM_URL}"`,
    );
    expect(await runInDurableObject(sessionStub(sessionId), (_i, state) => state.storage.get("counter"))).toBeUndefined();

    holder.token = await token({ scopes: ["tools.read", "tools.write"] });
    expect(textOf(await client.callTool({ name: "bump", arguments: {} }))).toBe("1");
    expect(transport.sessionId).toBe(sessionId);
    const who = JSON.parse(textOf(await client.callTool({ name: "whoami", arguments: {} })));
    expect(who.auth.scopes).toEqual(["tools.read", "tools.write"]);
    await client.close();
  });

  it("runs setup in a session with the claims of the token that opened it, carried to the session object", async () => {
    const { client } = await connect("stateful", { token: await token({ scopes: ["tools.read", "prompts.read"] }) });
    expect(JSON.parse(textOf(await client.callTool({ name: "setup_claims", arguments: {} })))).toEqual({ permissions: ["tools.read", "prompts.read"] });
    await client.close();
  });

  it("checks resource and prompt scopes inside a session", async () => {
    const { client, transport } = await connect("stateful", { token: await token({ scopes: ["tools.read"] }) });
    const res = await post("stateful", { jsonrpc: "2.0", id: 5, method: "prompts/get", params: { name: "greet" } }, {
      authorization: `Bearer ${await token({ scopes: ["tools.read"] })}`,
      "mcp-session-id": transport.sessionId!,
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toContain('scope="prompts.read"');
    await client.close();
  });

  it("ends the session on DELETE: storage is deleted and later requests get 404", async () => {
    const holder = { token: await token() };
    const { client, transport } = await connect("stateful", holder);
    const sessionId = transport.sessionId!;
    expect(await storageKeys(sessionId)).not.toEqual([]);
    await transport.terminateSession();
    expect(await storageKeys(sessionId)).toEqual([]);
    const after = await post("stateful", { jsonrpc: "2.0", id: 6, method: "tools/list" }, {
      authorization: `Bearer ${holder.token}`,
      "mcp-session-id": sessionId,
    });
    expect(after.status).toBe(404);
    await client.close().catch(() => undefined);
  });

  it("evicts an idle session by alarm and deletes all its storage", async () => {
    const holder = { token: await token({ scopes: ["tools.read", "tools.write"] }) };
    const { client, transport } = await connect("stateful", holder);
    const sessionId = transport.sessionId!;
    await client.callTool({ name: "bump", arguments: {} });
    const stub = sessionStub(sessionId);
    // Not idle yet: the alarm reschedules itself and keeps everything.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await storageKeys(sessionId)).toContain("tool:counter");
    // Idle for longer than SESSION_IDLE_TIMEOUT_S (default 3600 s).
    await runInDurableObject(stub, (_i, state) => state.storage.put("lastSeen", Date.now() - 3_601_000));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await storageKeys(sessionId)).toEqual([]);
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBeNull();
    const after = await post("stateful", { jsonrpc: "2.0", id: 8, method: "tools/list" }, {
      authorization: `Bearer ${holder.token}`,
      "mcp-session-id": sessionId,
    });
    expect(after.status).toBe(404);
  });

  it("keeps working after its Durable Object is evicted mid-session (state restored from storage)", async () => {
    const { client, transport } = await connect("stateful", { token: await token({ scopes: ["tools.read", "tools.write"] }) }, {}, { standaloneStream: false });
    const sessionId = transport.sessionId!;
    expect(textOf(await client.callTool({ name: "bump", arguments: {} }))).toBe("1");
    await evictDurableObject(sessionStub(sessionId));
    expect(textOf(await client.callTool({ name: "bump", arguments: {} }))).toBe("2");
    expect((await client.listTools()).tools.length).toBeGreaterThan(3);
    expect(transport.sessionId).toBe(sessionId);
    await client.close();
  });

  it("after an eviction, tells the client's next stream that its lists may have changed (what it listed before is unknown to the rebuilt object)", async () => {
    const bearer = await token();
    const { client, transport } = await connect("stateful", { token: bearer }, {}, { standaloneStream: false });
    const sessionId = transport.sessionId!;
    const openStream = () => send("stateful", new Request(RESOURCE, { method: "GET", headers: { authorization: `Bearer ${bearer}`, accept: "text/event-stream", "mcp-session-id": sessionId, "mcp-protocol-version": "2025-11-25" } }));
    const firstData = async (stream: Response, waitMs: number) => {
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      const deadline = Date.now() + waitMs;
      while (!text.includes("data:") && Date.now() < deadline) {
        const chunk = await Promise.race([reader.read(), new Promise<undefined>((r) => setTimeout(() => r(undefined), Math.max(0, deadline - Date.now())))]);
        if (chunk === undefined || chunk.done) break;
        text += chunk.value;
      }
      await reader.cancel().catch(() => undefined);
      return text;
    };
    expect(await firstData(await openStream(), 300)).not.toContain("list_changed"); // nothing to announce
    await evictDurableObject(sessionStub(sessionId));
    const after = await firstData(await openStream(), 3_000);
    expect(after).toContain('"method":"notifications/tools/list_changed"');
    await client.close();
  });

  it("round-trips a sampling request to the client, also after an eviction (client capabilities restored)", async () => {
    const { client, transport } = await connect("stateful", { token: await token() }, { sampling: {} }, { standaloneStream: false });
    const { CreateMessageRequestSchema } = await import("@modelcontextprotocol/sdk/types.js");
    const questions: string[] = [];
    client.setRequestHandler(CreateMessageRequestSchema, (request) => {
      const content = request.params.messages[0]!.content as { text: string };
      questions.push(content.text);
      return { role: "assistant", model: "test-model", content: { type: "text", text: `answer to ${content.text}` } };
    });
    expect(textOf(await client.callTool({ name: "ask_model", arguments: { question: "2+2?" } }))).toBe("answer to 2+2?");
    await evictDurableObject(sessionStub(transport.sessionId!));
    expect(textOf(await client.callTool({ name: "ask_model", arguments: { question: "3+3?" } }))).toBe("answer to 3+3?");
    expect(questions).toEqual(["2+2?", "3+3?"]);
    await client.close();
  });

  it("round-trips an elicitation request to the client", async () => {
    const { client } = await connect("stateful", { token: await token() }, { elicitation: {} });
    const { ElicitRequestSchema } = await import("@modelcontextprotocol/sdk/types.js");
    client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { name: "Ada" } }));
    expect(textOf(await client.callTool({ name: "ask_user", arguments: {} }))).toBe("accept:Ada");
    await client.close();
  });

  it("creates no session object for requests that never reach a valid session", async () => {
    const ns = (env as unknown as { MCP_SESSION: DurableObjectNamespace }).MCP_SESSION;
    const before = (await listDurableObjectIds(ns)).length;
    await post("stateful", { jsonrpc: "2.0", id: 1, method: "tools/list" }, { "mcp-session-id": "Z".repeat(43) }); // no token
    await post("stateful", { jsonrpc: "2.0", id: 1, method: "tools/list" }, { authorization: `Bearer ${await token()}`, "mcp-session-id": "bad id" });
    expect((await listDurableObjectIds(ns)).length).toBe(before);
  });
});
