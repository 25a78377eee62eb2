/**
 * W3C Trace Context from clients (issue 26 §1): the trace id of a valid `traceparent` — in a
 * 2026-07-28 request's `_meta` (SEP-414) or the HTTP header of a 2025 request — is on the request's
 * and the tool call's audit lines, so one call can be followed across hops; a malformed one is
 * ignored (W3C Trace Context §3.2.2), never an error.
 */
import { TRACEPARENT_META_KEY } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import { parseTraceParent } from "../src/base/trace-context.ts";
import { auditLog } from "./fixtures/test-worker.ts";
import { send } from "./helpers/mcp.ts";
import { MODERN } from "./helpers/modern.ts";
import { RESOURCE, token } from "./helpers/tokens.ts";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const VALID = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

describe("parseTraceParent (W3C Trace Context §3.2)", () => {
  it("reads the trace id, parent id and sampled flag of a valid traceparent", () => {
    expect(parseTraceParent(VALID)).toEqual({ traceId: TRACE_ID, parentId: "00f067aa0ba902b7", sampled: true });
    expect(parseTraceParent(`00-${TRACE_ID}-00f067aa0ba902b7-00`)?.sampled).toBe(false);
  });

  it.each([
    ["uppercase hex", `00-${TRACE_ID.toUpperCase()}-00f067aa0ba902b7-01`],
    ["an all-zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"],
    ["an all-zero parent id", `00-${TRACE_ID}-0000000000000000-01`],
    ["version ff", `ff-${TRACE_ID}-00f067aa0ba902b7-01`],
    ["version 00 with a fifth field", `${VALID}-extra`],
    ["a short trace id", "00-4bf92f35-00f067aa0ba902b7-01"],
    ["no value", undefined],
    ["a number", 42],
    ["an oversized value", `${VALID}${"x".repeat(300)}`],
  ])("ignores %s", (_name, value) => {
    expect(parseTraceParent(value)).toBeUndefined();
  });

  it("accepts a later version's extra fields (§3.2.4: forward compatible)", () => {
    expect(parseTraceParent(`01-${TRACE_ID}-00f067aa0ba902b7-01-future`)?.traceId).toBe(TRACE_ID);
  });
});

async function modernCall(sub: string, traceparent: string | undefined): Promise<Response> {
  const meta = { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}, ...(traceparent === undefined ? {} : { [TRACEPARENT_META_KEY]: traceparent }) };
  return send("stateless", new Request(RESOURCE, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": MODERN, "mcp-method": "tools/call", "mcp-name": "echo", authorization: `Bearer ${await token({ sub })}` },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "traced" }, _meta: meta } }),
  }));
}

const linesOf = (sub: string) => auditLog.events.filter((e) => (e.type === "mcp_request" || e.type === "tool_call") && e.subject === sub);

describe("trace ids on audit lines", () => {
  it("puts a 2026-07-28 request's _meta traceparent trace id on its request line and its tool call line", async () => {
    const res = await modernCall("auth0|traced-modern", VALID);
    expect(res.status).toBe(200);
    await res.text();
    const lines = linesOf("auth0|traced-modern");
    expect(lines.map((l) => l.type).sort()).toEqual(["mcp_request", "tool_call"]);
    for (const line of lines) expect(line).toMatchObject({ traceId: TRACE_ID });
  });

  it("ignores a malformed traceparent: the call succeeds and no trace id is written", async () => {
    const res = await modernCall("auth0|traced-badly", `00-${"0".repeat(32)}-00f067aa0ba902b7-01`);
    expect(res.status).toBe(200);
    await res.text();
    const lines = linesOf("auth0|traced-badly");
    expect(lines.length).toBe(2);
    for (const line of lines) expect(line).not.toHaveProperty("traceId");
  });

  it("takes a 2025 request's traceparent header (no _meta envelope in that era)", async () => {
    const res = await send("stateless", new Request(RESOURCE, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25", traceparent: VALID, authorization: `Bearer ${await token({ sub: "auth0|traced-legacy" })}` },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "traced" } } }),
    }));
    expect(res.status).toBe(200);
    await res.text();
    const lines = linesOf("auth0|traced-legacy");
    expect(lines.map((l) => l.type).sort()).toEqual(["mcp_request", "tool_call"]);
    for (const line of lines) expect(line).toMatchObject({ traceId: TRACE_ID });
  });
});
