import { env, exports } from "cloudflare:workers";
import { createTokenFactory } from "@edge-mcp/testing";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { RULES_KEY } from "../src/rules-store.ts";
import { operatorHealth, rulesInForce } from "./helpers/rules-in-force.ts";

/**
 * Remote backends through the whole gateway worker: real MCP servers (the SDK's, in Node, behind
 * Miniflare's outbound hook) reached over HTTPS with the gateway's own credential from a Worker
 * secret — docs speaks 2026-07-28, wiki a 2025 session. Never the user's token, never the caller
 * header meant for the fleet's service bindings.
 */
const RESOURCE = "https://gateway-mcp.example.test/mcp";
const token = createTokenFactory(inject("privateJwk"), { issuer: "https://tenant.example-auth.test/", audience: RESOURCE });
type Json = Record<string, any>;

async function rpc(bearer: string, method: string, params: Json = {}, id = 1): Promise<Json> {
  const name = typeof params.name === "string" ? params.name : undefined;
  const res = await exports.default.fetch(new Request(RESOURCE, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": method, ...(name === undefined ? {} : { "mcp-name": name }) },
    body: JSON.stringify({ jsonrpc: "2.0", id, method, params: { ...params, _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } }),
  }));
  const text = await res.text();
  return JSON.parse(res.headers.get("content-type")?.startsWith("text/event-stream") ? text.split("\n").filter((l) => l.startsWith("data:")).at(-1)!.slice(5) : text) as Json;
}

beforeAll(async () => {
  await rulesInForce({ rules: [{ name: "readers", when: { sub: "auth0|reader" }, allow: ["docs.*", "wiki.*"] }] });
});

describe("remote backends through the gateway", () => {
  it("lists and calls a 2026-07-28 and a 2025 remote server with the gateway's own credential, never the user's token or caller header", async () => {
    const reader = await token({ sub: "auth0|reader", scopes: ["tools.read"] });
    const names = (await rpc(reader, "tools/list")).result.tools.map((t: { name: string }) => t.name).sort();
    expect(names).toEqual(["docs__confirm", "docs__search", "wiki__confirm", "wiki__search"]);
    for (const [backend, credential] of [["docs", "gateway-credential-for-docs"], ["wiki", "gateway-credential-for-wiki"]] as const) {
      const answer = await rpc(reader, "tools/call", { name: `${backend}__search`, arguments: { query: "gateways" } }, 3);
      expect(answer.id).toBe(3);
      const seen = JSON.parse(answer.result.content[0].text) as { server: string; query: string; authorization: string | null; caller: string | null };
      expect(seen).toEqual({ server: backend, query: "gateways", authorization: `Bearer ${credential}`, caller: null });
      expect(JSON.stringify(answer)).not.toContain(reader);
    }
    const health = (await (await exports.default.fetch(await operatorHealth())).json()) as { backends: Record<string, { status: string }> };
    expect(health.backends.docs!.status).toBe("ok");
    expect(health.backends.wiki!.status).toBe("ok");
  });
});
