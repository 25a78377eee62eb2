import { env, exports } from "cloudflare:workers";
import { createTokenFactory } from "@edge-mcp/testing";
import { TRACEPARENT_META_KEY } from "@modelcontextprotocol/server";
import { beforeAll, describe, expect, inject, it, vi } from "vitest";
import { RULES_KEY } from "../src/rules-store.ts";
import { operatorHealth, rulesInForce } from "./helpers/rules-in-force.ts";

/**
 * Fan-out and calls through the real gateway worker and real service bindings, to stand-in
 * backends (test/fixtures/stub-backends.ts): notes and conformance answer, hello hangs,
 * live-monitor throws. gateway.json's backend timeout is 2 s.
 */
const RESOURCE = "https://gateway-mcp.example.test/mcp";
const token = createTokenFactory(inject("privateJwk"), { issuer: "https://tenant.example-auth.test/", audience: RESOURCE });
const send = (request: Request) => exports.default.fetch(request);

async function rpc(bearer: string, method: string, params: Record<string, unknown> = {}, id = 1, clientCapabilities: Record<string, unknown> = {}) {
  const name = typeof params.name === "string" ? params.name : typeof params.taskId === "string" ? params.taskId : undefined;
  const res = await send(new Request(RESOURCE, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": method, ...(name === undefined ? {} : { "mcp-name": name }) },
    body: JSON.stringify({ jsonrpc: "2.0", id, method, params: { ...params, _meta: { ...(params._meta as Record<string, unknown> | undefined), "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": clientCapabilities } } }),
  }));
  const text = await res.text();
  const data = res.headers.get("content-type")?.startsWith("text/event-stream") ? text.split("\n").filter((l) => l.startsWith("data:")).map((l) => JSON.parse(l.slice(5))).at(-1) : JSON.parse(text);
  return { status: res.status, headers: res.headers, body: data as { result?: Record<string, any>; error?: { code: number; message: string } } };
}

beforeAll(async () => {
  await rulesInForce({
    rules: [
      { name: "alice", when: { sub: "auth0|alice" }, allow: ["notes.*", "hello.*", "live-monitor.*", "conformance.echo"] },
      { name: "reader", when: { sub: "auth0|reader" }, allow: ["notes.*"], scopes: ["tools.read"] },
      { name: "łukasz", when: { sub: "auth0|łukasz" }, allow: ["notes.whoami"] },
    ],
    aliases: { "conformance.echo": "shout" },
  });
});

describe("gateway fan-out to its backends", () => {
  it("lists the answering backends' tools within the timeout, leaving out a hanging and a failing one; /health says which", async () => {
    const alice = await token({ sub: "auth0|alice", scopes: ["tools.read", "tools.write"] });
    const logged = vi.spyOn(console, "log");
    const started = Date.now();
    const { body } = await rpc(alice, "tools/list");
    expect(Date.now() - started).toBeLessThan(10_000); // the 2 s timeout, not forever
    expect(body.result!.tools.map((t: { name: string }) => t.name).sort()).toEqual(["notes__cancellations", "notes__echo", "notes__explode", "notes__platform_error", "notes__slow", "notes__stream_until_cancelled", "notes__whoami", "notes__write_it", "shout"]);
    // The gateway's listing depends on the caller: private (MCP 2026-07-28 caching).
    expect(body.result!.cacheScope).toBe("private");
    const health = (await (await send(await operatorHealth())).json()) as { backends: Record<string, { status: string }> };
    expect(health.backends.notes!.status).toBe("ok");
    expect(health.backends.hello!.status).toBe("timeout");
    expect(health.backends["live-monitor"]!.status).toBe("unreachable");
    // …and the audit log says so too.
    const lines = logged.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('"backend_status"')).map((l) => JSON.parse(l) as { backend: string; status: string });
    logged.mockRestore();
    expect(lines).toEqual(expect.arrayContaining([expect.objectContaining({ backend: "hello", status: "timeout" }), expect.objectContaining({ backend: "live-monitor", status: "unreachable" })]));
  });

  it("calls a backend tool with the verified caller, never the token, and answers from its cache on the next listing", async () => {
    const alice = await token({ sub: "auth0|alice", client: "cursor", scopes: ["tools.read", "tools.write"] });
    await rpc(alice, "tools/list");
    const { body } = await rpc(alice, "tools/call", { name: "notes__whoami", arguments: {} }, 9);
    const seen = JSON.parse(body.result!.content[0].text) as { caller: unknown; token: string | null; lists: number };
    expect(seen.caller).toEqual({ subject: "auth0|alice", clientId: "cursor", scopes: ["tools.read", "tools.write"] });
    expect(seen.token).toBeNull();
    // Listed from the backend once (ttlMs 60 s), however many requests come since — counted from
    // here: the isolate is shared with other test files, which may have listed notes before.
    await rpc(alice, "tools/list");
    await rpc(alice, "tools/list");
    const again = JSON.parse((await rpc(alice, "tools/call", { name: "notes__whoami", arguments: {} }, 10)).body.result!.content[0].text) as { lists: number };
    expect(seen.lists).toBeGreaterThanOrEqual(1);
    expect(again.lists).toBe(seen.lists);
    expect((await rpc(alice, "tools/call", { name: "shout", arguments: { text: "hi" } })).body.result!.content).toEqual([{ type: "text", text: "hi" }]);
  });

  it("answers a relayed call as the gateway: its result carries the gateway's serverInfo, not the backend's (2026-07-28 §serverInfo)", async () => {
    const alice = await token({ sub: "auth0|alice", scopes: ["tools.read"] });
    const { body } = await rpc(alice, "tools/call", { name: "notes__echo", arguments: { text: "who answers?" } }, 21);
    expect(body.result!.content).toEqual([{ type: "text", text: "who answers?" }]);
    expect(body.result!._meta!["io.modelcontextprotocol/serverInfo"]).toEqual({ name: "gateway", version: "1.0.0" });
  });

  it("hands a backend a caller whose subject is not ASCII intact (the caller header is ASCII whatever it carries)", async () => {
    const lukasz = await token({ sub: "auth0|łukasz" });
    const { body } = await rpc(lukasz, "tools/call", { name: "notes__whoami", arguments: {} }, 14);
    expect(JSON.parse(body.result!.content[0].text).caller).toEqual({ subject: "auth0|łukasz", clientId: "client-a", scopes: ["tools.read"] });
  });

  it("keeps the tasks extension, which it does not serve, out of what a backend is told the client supports (no task handle it could not poll)", async () => {
    const alice = await token({ sub: "auth0|alice", scopes: ["tools.read", "tools.write"] });
    const capabilities = { elicitation: { form: {} }, extensions: { "io.modelcontextprotocol/tasks": {}, "example.test/other": {} } };
    const { body } = await rpc(alice, "tools/call", { name: "notes__whoami", arguments: {} }, 10, capabilities);
    const seen = JSON.parse(body.result!.content[0].text) as { meta: Record<string, { extensions?: Record<string, unknown>; elicitation?: unknown }> };
    expect(seen.meta["io.modelcontextprotocol/clientCapabilities"]).toEqual({ elicitation: { form: {} }, extensions: { "example.test/other": {} } });
    // …and the gateway itself does not offer the extension.
    const discovered = await rpc(alice, "server/discover");
    expect(discovered.body.result!.capabilities.extensions?.["io.modelcontextprotocol/tasks"]).toBeUndefined();
    // It keeps no tasks: polling one at the gateway is an unknown task, answered with the request's id.
    const polled = await rpc(alice, "tasks/get", { taskId: "t".repeat(43) }, 11, capabilities);
    expect(polled.body).toMatchObject({ id: 11, error: { code: -32602 } });
  });

  it("audits a relayed call in one gateway line naming caller, backend and tool (and an unreachable backend's call as an error)", async () => {
    const alice = await token({ sub: "auth0|alice", client: "cursor", scopes: ["tools.read", "tools.write"] });
    await rpc(alice, "tools/list");
    const logged = vi.spyOn(console, "log");
    await rpc(alice, "tools/call", { name: "notes__echo", arguments: { text: "audited" } }, 12);
    await rpc(alice, "tools/call", { name: "notes__platform_error", arguments: {} }, 13);
    const lines = logged.mock.calls.map((c) => JSON.parse(String(c[0])) as Record<string, unknown>).filter((l) => l.server === "gateway");
    logged.mockRestore();
    expect(lines.filter((l) => l.type === "tool_call")).toEqual([]);
    const [ok, failed] = lines.filter((l) => l.type === "mcp_request");
    expect(ok).toMatchObject({ tools: ["notes__echo"], backend: "notes", subject: "auth0|alice", clientId: "cursor", outcome: "ok", status: 200 });
    expect(failed).toMatchObject({ tools: ["notes__platform_error"], backend: "notes", outcome: "error" });
    expect(JSON.stringify(lines)).not.toContain("audited"); // never the arguments
  });

  it("passes a client's traceparent on to the backend and writes its trace id on the gateway's line: one trace across the hop", async () => {
    const alice = await token({ sub: "auth0|alice", client: "traced", scopes: ["tools.read", "tools.write"] });
    await rpc(alice, "tools/list");
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const logged = vi.spyOn(console, "log");
    const { body } = await rpc(alice, "tools/call", { name: "notes__whoami", arguments: {}, _meta: { [TRACEPARENT_META_KEY]: traceparent } }, 31);
    const lines = logged.mock.calls.map((c) => JSON.parse(String(c[0])) as Record<string, unknown>).filter((l) => l.server === "gateway" && l.type === "mcp_request");
    logged.mockRestore();
    expect((JSON.parse(body.result!.content[0].text) as { meta: Record<string, unknown> }).meta[TRACEPARENT_META_KEY]).toBe(traceparent);
    expect(lines.at(-1)).toMatchObject({ tools: ["notes__whoami"], backend: "notes", traceId: "4bf92f3577b34da6a3ce929d0e0e4736" });
  });

  it("passes the scopes a rule narrows to, and offers no tool beyond them", async () => {
    const reader = await token({ sub: "auth0|reader", scopes: ["tools.read", "tools.write"] });
    const names = (await rpc(reader, "tools/list")).body.result!.tools.map((t: { name: string }) => t.name).sort();
    expect(names).toEqual(["notes__cancellations", "notes__echo", "notes__explode", "notes__platform_error", "notes__slow", "notes__stream_until_cancelled", "notes__whoami"]);
    const seen = JSON.parse((await rpc(reader, "tools/call", { name: "notes__whoami", arguments: {} })).body.result!.content[0].text);
    expect(seen.caller.scopes).toEqual(["tools.read"]);
  });

  it("answers a read-only token calling a backend's tools.write tool with the gateway's own 403 step-up", async () => {
    const alice = await token({ sub: "auth0|alice", scopes: ["tools.read"] });
    const res = await rpc(alice, "tools/call", { name: "notes__write_it", arguments: {} }, 4);
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toContain('scope="tools.write"');
    expect(res.headers.get("www-authenticate")).toContain("resource_metadata=\"https://gateway-mcp.example.test/.well-known/oauth-protected-resource/mcp\"");
  });

  it("turns a backend call that is too slow or fails into a tool error within the timeout, and drops that backend's cached list", async () => {
    const alice = await token({ sub: "auth0|alice" });
    const listsBefore = (JSON.parse((await rpc(alice, "tools/call", { name: "notes__whoami", arguments: {} })).body.result!.content[0].text) as { lists: number }).lists;
    const started = Date.now();
    const slow = (await rpc(alice, "tools/call", { name: "notes__slow", arguments: {} })).body.result!;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(slow).toMatchObject({ isError: true, content: [{ type: "text", text: expect.stringContaining('Backend "notes" did not answer in time') }] });
    const failed = (await rpc(alice, "tools/call", { name: "notes__explode", arguments: {} })).body.result!;
    expect(failed).toMatchObject({ isError: true, content: [{ type: "text", text: expect.stringContaining('Backend "notes" is unreachable') }] });
    expect(JSON.stringify(failed)).not.toContain("tool exploded"); // the backend's error text stays behind
    // A non-JSON-RPC answer (the platform's "no such worker") is the backend being unreachable, not a result.
    const platform = (await rpc(alice, "tools/call", { name: "notes__platform_error", arguments: {} })).body.result!;
    expect(platform).toMatchObject({ isError: true, content: [{ type: "text", text: expect.stringContaining('Backend "notes" is unreachable: HTTP 503') }] });
    const seen = JSON.parse((await rpc(alice, "tools/call", { name: "notes__whoami", arguments: {} })).body.result!.content[0].text);
    expect(seen.lists).toBe(listsBefore + 3); // listed again after each of the three failures dropped the cache
  });

  it("spends a backend's budget at the gateway per user (gateway.json: conformance, 10 calls a minute each): then 429 with Retry-After and the request's id — and another user still gets through", async () => {
    const alice = await token({ sub: "auth0|alice" });
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof rpc>> | undefined;
    for (let i = 0; i < 12 && refused === undefined; i++) {
      const res = await rpc(alice, "tools/call", { name: "shout", arguments: { text: "hi" } }, 40 + i);
      statuses.push(res.status);
      if (res.status === 429) refused = res;
    }
    expect(refused).toBeDefined();
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(10);
    expect(Number(refused!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused!.body).toMatchObject({ id: 40 + statuses.length - 1, error: { data: { code: "rate_limited" } } });
    // One user spending the budget locks nobody else out of the backend.
    const carol = await token({ sub: "auth0|carol-shouts" });
    await env.GATEWAY_RULES.put(RULES_KEY, JSON.stringify({ rules: [{ name: "alice", when: { sub: ["auth0|alice", "auth0|carol-shouts"] }, allow: ["notes.*", "hello.*", "live-monitor.*", "conformance.echo"] }, { name: "reader", when: { sub: "auth0|reader" }, allow: ["notes.*"], scopes: ["tools.read"] }, { name: "łukasz", when: { sub: "auth0|łukasz" }, allow: ["notes.whoami"] }], aliases: { "conformance.echo": "shout" } }));
    let carolsCall: Awaited<ReturnType<typeof rpc>> | undefined;
    for (let i = 0; i < 100; i++) {
      carolsCall = await rpc(carol, "tools/call", { name: "shout", arguments: { text: "me too" } }, 60);
      if (carolsCall.body.result !== undefined) break; // the rules refresh every rulesRefreshMs
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(carolsCall!.status).toBe(200);
    expect(carolsCall!.body.result!.content).toEqual([{ type: "text", text: "me too" }]);
  });

  it("streams a backend's progress through as it comes, and a client going away cancels the backend's stream", async () => {
    const alice = await token({ sub: "auth0|alice" });
    const before = Number((await rpc(alice, "tools/call", { name: "notes__cancellations", arguments: {} })).body.result!.content[0].text);
    expect(Number.isInteger(before)).toBe(true); // a count, not a tool error
    const res = await send(new Request(RESOURCE, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "notes__stream_until_cancelled" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 8, method: "tools/call", params: { name: "notes__stream_until_cancelled", arguments: {}, _meta: { progressToken: "p1", "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } }),
    }));
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const first = await reader.read();
    expect(first.value).toContain('"progressToken":"p1"'); // the progress arrived before any result
    await reader.cancel();
    let after = before;
    for (let i = 0; i < 50 && after === before; i++) {
      await new Promise((r) => setTimeout(r, 20));
      after = Number((await rpc(alice, "tools/call", { name: "notes__cancellations", arguments: {} })).body.result!.content[0].text);
    }
    expect(after).toBe(before + 1);
  });

  it("never makes a call to an answering backend wait for a hanging one (only the named backend is consulted)", async () => {
    const alice = await token({ sub: "auth0|alice" });
    const logged = vi.spyOn(console, "log");
    const res = await rpc(alice, "tools/call", { name: "notes__echo", arguments: { text: "now" } });
    const waitedForHello = logged.mock.calls.some((c) => String(c[0]).includes('"backend_status"') && String(c[0]).includes('"hello"'));
    logged.mockRestore();
    expect(res.body.result!.content).toEqual([{ type: "text", text: "now" }]);
    expect(waitedForHello).toBe(false); // hello's 2 s listing timeout was never run for this call
  });

  it("refuses a caller no rule matches with an empty listing and unknown tools", async () => {
    const mallory = await token({ sub: "auth0|mallory", scopes: ["tools.read", "tools.write"] });
    expect((await rpc(mallory, "tools/list")).body.result!.tools).toEqual([]);
    const logged = vi.spyOn(console, "log");
    expect((await rpc(mallory, "tools/call", { name: "notes__echo", arguments: { text: "x" } }, 3)).body).toMatchObject({ id: 3, error: { code: -32602 } });
    const lines = logged.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('"mcp_request"') && l.includes("auth0|mallory")).map((l) => JSON.parse(l) as Record<string, unknown>);
    logged.mockRestore();
    // Answered like an unknown tool, recorded as the rules' refusal (audit line and metrics: cause "rule").
    expect(lines.at(-1)).toMatchObject({ outcome: "denied", refusal: "rule", status: 200, tools: ["notes__echo"] });
  });

  it("checks Mcp-Name against the body before relaying a call, as every server does: a disagreeing or missing one is -32020 with the request's id (issue 23 finding 8)", async () => {
    const alice = await token({ sub: "auth0|alice", scopes: ["tools.read"] });
    const call = (headers: Record<string, string>) =>
      send(new Request(RESOURCE, {
        method: "POST",
        headers: { authorization: `Bearer ${alice}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", ...headers },
        body: JSON.stringify({ jsonrpc: "2.0", id: 31, method: "tools/call", params: { name: "notes__echo", arguments: { text: "x" }, _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } }),
      }));
    for (const headers of [{ "mcp-name": "notes__whoami" }, {}] as Array<Record<string, string>>) {
      const res = await call(headers);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ id: 31, error: { code: -32020 } });
    }
    expect((await call({ "mcp-name": "notes__echo" })).status).toBe(200);
  });
});
