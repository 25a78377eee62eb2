/**
 * Remote backends and the user (issue 25 §6): a remote reached as each user gets a token exchanged
 * on the caller's behalf (RFC 8693) — never the user's own, never a shared credential — and a
 * remote's MRTR state is bound to the user by the gateway, so another user cannot replay it.
 */
import { exports } from "cloudflare:workers";
import { createTokenFactory } from "@edge-mcp/testing";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { rulesInForce } from "./helpers/rules-in-force.ts";

const RESOURCE = "https://gateway-mcp.example.test/mcp";
const token = createTokenFactory(inject("privateJwk"), { issuer: "https://tenant.example-auth.test/", audience: RESOURCE });
type Json = Record<string, any>;

async function rpc(bearer: string, method: string, params: Json = {}, capabilities: Json = {}): Promise<Json> {
  const name = typeof params.name === "string" ? params.name : undefined;
  const res = await exports.default.fetch(new Request(RESOURCE, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": method, ...(name === undefined ? {} : { "mcp-name": name }) },
    body: JSON.stringify({ jsonrpc: "2.0", id: 9, method, params: { ...params, _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": capabilities } } }),
  }));
  const text = await res.text();
  return JSON.parse(res.headers.get("content-type")?.startsWith("text/event-stream") ? text.split("\n").filter((l) => l.startsWith("data:")).at(-1)!.slice(5) : text) as Json;
}

beforeAll(async () => {
  await rulesInForce({ rules: [{ name: "remote-users", when: { sub: ["auth0|ann", "auth0|ben"] }, allow: ["docs.*", "people.*"] }] });
});

describe("a remote backend reached as each user (asUser)", () => {
  it("sends a token exchanged for that backend on the caller's behalf: their sub, the backend's audience, the gateway in act", async () => {
    for (const sub of ["auth0|ann", "auth0|ben"]) {
      const bearer = await token({ sub, scopes: ["tools.read"] });
      const answer = await rpc(bearer, "tools/call", { name: "people__search", arguments: { query: "me" } });
      const seen = JSON.parse(answer.result.content[0].text) as { authorization: string };
      const claims = decodeJwt(seen.authorization.replace(/^Bearer /, ""));
      expect(claims).toMatchObject({ sub, aud: "https://people-mcp.example.test/mcp", act: { sub: "gateway-exchange" }, scope: "people.read" });
      expect(seen.authorization).not.toContain(bearer);
    }
  });
});

describe("a remote backend's MRTR state through the gateway", () => {
  const ELICITS = { elicitation: { form: {} } };

  it("is bound to the user: another user replaying it is refused, the user's own retry goes through", async () => {
    const ann = await token({ sub: "auth0|ann", scopes: ["tools.read"] });
    const first = await rpc(ann, "tools/call", { name: "docs__confirm", arguments: {} }, ELICITS);
    expect(first.result.resultType).toBe("input_required");
    const state = first.result.requestState as string;
    // The remote's own state never reaches the client bare: the gateway's signed one carries it.
    expect(state).not.toContain("docs-round-1");
    const retry = { name: "docs__confirm", arguments: {}, requestState: state, inputResponses: { ok: { action: "accept", content: { ok: true } } } };
    const ben = await token({ sub: "auth0|ben", scopes: ["tools.read"] });
    const replayed = await rpc(ben, "tools/call", retry, ELICITS);
    expect(replayed.error).toMatchObject({ code: -32602 });
    const own = await rpc(ann, "tools/call", retry, ELICITS);
    expect(JSON.parse(own.result.content[0].text)).toEqual({ confirmedWith: "docs-round-1" });
  });
});
