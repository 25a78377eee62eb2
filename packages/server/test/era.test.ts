/**
 * Which era a POST speaks (`eraOf`): its fast path for messages that claim the 2026-07-28 envelope
 * must give the SDK's own answer (`isLegacyRequest`, the routing step of `createMcpHandler`) on
 * every body, valid or not — MCP 2026-07-28 "Backwards compatibility": one endpoint, one routing.
 */
import { isLegacyRequest, PROTOCOL_VERSION_META_KEY } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import { eraOf } from "../src/http/era.ts";

const ENVELOPE = { [PROTOCOL_VERSION_META_KEY]: "2026-07-28", "io.modelcontextprotocol/clientInfo": { name: "t", version: "1" }, "io.modelcontextprotocol/clientCapabilities": {} };
const METHODS = [undefined, "tools/call", "initialize", "notifications/cancelled", 42];
const IDS = [undefined, 1, "a", null, 1.5];
const PARAMS = [
  undefined,
  [],
  {},
  { _meta: [] },
  { _meta: {} },
  { name: "echo", _meta: ENVELOPE },
  { _meta: { [PROTOCOL_VERSION_META_KEY]: "2026-07-28" } }, // a claim with the rest of the envelope missing
  { _meta: { ...ENVELOPE, [PROTOCOL_VERSION_META_KEY]: "2025-11-25" } }, // claiming a 2025 revision
  { _meta: { [PROTOCOL_VERSION_META_KEY]: 7 } }, // a claim that is not a version
  { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
];
const EXTRAS = [{}, { result: {} }, { error: { code: 1, message: "x" } }];
const JSONRPC = ["2.0", "1.0"];
const HEADERS: Array<Record<string, string>> = [{}, { "mcp-protocol-version": "2026-07-28" }, { "mcp-protocol-version": "2025-11-25" }, { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/list" }];

function* bodies(): Generator<unknown> {
  for (const method of METHODS)
    for (const id of IDS)
      for (const params of PARAMS)
        for (const extra of EXTRAS)
          for (const jsonrpc of JSONRPC) {
            yield { jsonrpc, ...(method === undefined ? {} : { method }), ...(id === undefined ? {} : { id }), ...(params === undefined ? {} : { params }), ...extra };
          }
  yield [{ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: ENVELOPE } }];
  yield [];
  yield "text";
  yield null;
}

describe("eraOf", () => {
  it("routes every POST as the SDK's isLegacyRequest does, for envelope claims valid or not, any header, any JSON-RPC shape", async () => {
    const eras = { legacy: 0, modern: 0 };
    const disagreements: string[] = [];
    for (const headers of HEADERS) {
      for (const body of bodies()) {
        const request = () => new Request("https://mcp.example.test/mcp", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
        const sdk = (await isLegacyRequest(request(), body)) ? "legacy" : "modern";
        const ours = await eraOf(request(), body);
        eras[ours] += 1;
        if (ours !== sdk) disagreements.push(`${JSON.stringify(headers)} ${JSON.stringify(body)}: SDK ${sdk}, eraOf ${ours}`);
      }
    }
    expect(disagreements.slice(0, 5)).toEqual([]);
    // The corpus reaches both answers many times over (and the fast path: every claim not in an initialize).
    expect(eras.legacy).toBeGreaterThan(50);
    expect(eras.modern).toBeGreaterThan(500);
  });
});
