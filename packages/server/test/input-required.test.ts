/**
 * A tool that needs input from the user, written once (issue 9 §2): on a 2026-07-28 request it
 * answers `input_required` (MRTR) and the client retries with the answers; in a 2025 session the
 * SDK sends the same input request to the client as an elicitation request.
 */
import { describe, expect, it, vi } from "vitest";
import { connect } from "./helpers/mcp.ts";
import { connectModern, modernPost } from "./helpers/modern.ts";
import { token } from "./helpers/tokens.ts";

const textOf = (result: unknown) => ((result as { content: Array<{ text: string }> }).content)[0]!.text;

describe("input from the user, one tool for both eras", () => {
  it("2026-07-28: input_required, then the client's retry with inputResponses completes the call", async () => {
    const client = await connectModern("stateless", await token(), { elicitation: { form: {} } });
    client.setRequestHandler("elicitation/create", () => ({ action: "accept", content: { name: "Ada" } }));
    expect(textOf(await client.callTool({ name: "confirm_name", arguments: {} }))).toBe("accept:Ada");
    await client.close();
  });

  it("2025 session: the same tool becomes a server→client elicitation request", async () => {
    const { client } = await connect("stateful", { token: await token() }, { elicitation: {} }, { standaloneStream: false });
    const { ElicitRequestSchema } = await import("@modelcontextprotocol/sdk/types.js");
    client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { name: "Grace" } }));
    expect(textOf(await client.callTool({ name: "confirm_name", arguments: {} }))).toBe("accept:Grace");
    await client.close();
  });
});

const ELICITS = { elicitation: { form: {} } };

describe("MRTR requestState (MCP 2026-07-28 basic/patterns/mrtr, server requirements 4–5)", () => {
  async function firstRound(bearer: string, item = "book") {
    const res = await modernPost("stateless", "tools/call", { name: "two_step", arguments: { item } }, { authorization: `Bearer ${bearer}` }, 1, ELICITS);
    const { result } = (await res.json()) as { result: { resultType: string; requestState: string; inputRequests: Record<string, unknown> } };
    expect(result.resultType).toBe("input_required");
    expect(Object.keys(result.inputRequests)).toEqual(["confirm"]);
    return result.requestState;
  }
  const retry = (bearer: string, requestState: string, item = "book", tool = "two_step") =>
    modernPost("stateless", "tools/call", { name: tool, arguments: { item }, requestState, inputResponses: { confirm: { action: "accept", content: { ok: true } } } }, { authorization: `Bearer ${bearer}` }, 2, ELICITS);

  it("never asks for input the request did not declare a capability for (-32021)", async () => {
    const res = await modernPost("stateless", "tools/call", { name: "two_step", arguments: { item: "x" } }, { authorization: `Bearer ${await token()}` });
    expect(await res.json()).toMatchObject({ error: { code: -32021, data: { requiredCapabilities: { elicitation: { form: {} } } } } });
  });

  it("completes the second round with the state it minted", async () => {
    const alice = await token({ sub: "auth0|alice-mrtr" });
    const res = await retry(alice, await firstRound(alice));
    expect(await res.json()).toMatchObject({ result: { resultType: "complete", content: [{ text: "confirmed book after round 1: accept" }] } });
  });

  it("refuses a tampered state with -32602, running nothing", async () => {
    const alice = await token({ sub: "auth0|alice-mrtr" });
    const state = await firstRound(alice);
    const tampered = `${state.slice(0, -2)}${state.at(-2) === "A" ? "B" : "A"}${state.at(-1)}`;
    expect(await (await retry(alice, tampered)).json()).toMatchObject({ error: { code: -32602, message: "Invalid or expired requestState" } });
  });

  it("refuses an expired state (older than 600 s)", async () => {
    const alice = await token({ sub: "auth0|alice-mrtr", expiresInSeconds: 7200 });
    const state = await firstRound(alice);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 601_000);
      expect(await (await retry(alice, state)).json()).toMatchObject({ error: { code: -32602, message: "Invalid or expired requestState" } });
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuses alice's state replayed by bob (bound to sub + client)", async () => {
    const state = await firstRound(await token({ sub: "auth0|alice-mrtr" }));
    const res = await retry(await token({ sub: "auth0|bob-mrtr" }), state);
    expect(await res.json()).toMatchObject({ error: { code: -32602, message: "Invalid or expired requestState" } });
  });

  it("refuses alice's state replayed by alice through another client (bound to the client id too)", async () => {
    const state = await firstRound(await token({ sub: "auth0|alice-mrtr", client: "client-a" }));
    const res = await retry(await token({ sub: "auth0|alice-mrtr", client: "client-b" }), state);
    expect(await res.json()).toMatchObject({ error: { code: -32602, message: "Invalid or expired requestState" } });
  });

  it("keeps the binding's fields apart: a state of (sub 'auth0|al', client 'ice-app') is refused to (sub 'auth0|alice', client '-app')", async () => {
    // Without a separator both callers would bind to the same string, "auth0|alice-app".
    const state = await firstRound(await token({ sub: "auth0|al", client: "ice-app" }));
    const res = await retry(await token({ sub: "auth0|alice", client: "-app" }), state);
    expect(await res.json()).toMatchObject({ error: { code: -32602, message: "Invalid or expired requestState" } });
  });

  it("refuses a state minted by one tool on another tool with the same arguments (bound to the tool)", async () => {
    const alice = await token({ sub: "auth0|alice-mrtr" });
    const state = await firstRound(alice);
    expect(await (await retry(alice, state, "book", "two_step_twin")).json()).toMatchObject({ error: { code: -32602, message: "Invalid or expired requestState" } });
    // The twin takes its own state: the refusal above is the binding's.
    const own = await modernPost("stateless", "tools/call", { name: "two_step_twin", arguments: { item: "book" } }, { authorization: `Bearer ${alice}` }, 1, ELICITS);
    const ownState = ((await own.json()) as { result: { requestState: string } }).result.requestState;
    expect(await (await retry(alice, ownState, "book", "two_step_twin")).json()).toMatchObject({ result: { resultType: "complete" } });
  });

  it("refuses a state minted at another server sharing the key (bound to the resource)", async () => {
    const { env } = await import("cloudflare:workers");
    const { statelessWorker } = await import("./fixtures/test-worker.ts");
    const OTHER = "https://test-mcp.example.test/other-mcp";
    const other = { ...(env as object), MCP_RESOURCE: OTHER, AUTH_AUDIENCES: OTHER };
    const alice = await token({ sub: "auth0|alice-mrtr" });
    const state = await firstRound(alice);
    const atOther = await statelessWorker.fetch(new Request(OTHER, {
      method: "POST",
      headers: { authorization: `Bearer ${await token({ sub: "auth0|alice-mrtr", aud: OTHER })}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "two_step" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "two_step", arguments: { item: "book" }, requestState: state, inputResponses: { confirm: { action: "accept", content: { ok: true } } }, _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": ELICITS } } }),
    }), other as never);
    expect(atOther.status).not.toBe(401);
    expect(await atOther.json()).toMatchObject({ id: 3, error: { code: -32602, message: "Invalid or expired requestState" } });
  });

  it("refuses a state minted for one call on a call with other arguments", async () => {
    const alice = await token({ sub: "auth0|alice-mrtr" });
    const state = await firstRound(alice, "book");
    expect(await (await retry(alice, state, "car")).json()).toMatchObject({ error: { code: -32602, message: "Invalid or expired requestState" } });
  });

  it("runs both rounds in a 2025 session too (the SDK carries the state in-process)", async () => {
    const { client } = await connect("stateful", { token: await token() }, { elicitation: {} }, { standaloneStream: false });
    const { ElicitRequestSchema } = await import("@modelcontextprotocol/sdk/types.js");
    client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { ok: true } }));
    expect(textOf(await client.callTool({ name: "two_step", arguments: { item: "cup" } }))).toBe("confirmed cup after round 1: accept");
    await client.close();
  });

  it("runs both rounds through a real 2.x client", async () => {
    const client = await connectModern("stateless", await token(), { elicitation: { form: {} } });
    client.setRequestHandler("elicitation/create", () => ({ action: "accept", content: { ok: true } }));
    expect(textOf(await client.callTool({ name: "two_step", arguments: { item: "pen" } }))).toBe("confirmed pen after round 1: accept");
    await client.close();
  });
});
