import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { abuseCorpus } from "@edge-mcp/testing";
import { INITIALIZE, send } from "./helpers/mcp.ts";
import { RESOURCE, token } from "./helpers/tokens.ts";

/**
 * The abuse corpus, against the running stateful worker: every request must get its precise
 * status, the worker must keep serving, and nothing may be stored (no session object created).
 */
const mcpRequest = (headers: Record<string, string>) =>
  new Request(RESOURCE, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body: JSON.stringify(INITIALIZE) });
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe("abuse corpus against the running worker", () => {
  it("cannot even construct a request with a raw CRLF in a header (header smuggling)", () => {
    expect(() => new Request(RESOURCE, { headers: { authorization: "Bearer a\r\nX-Injected: 1" } })).toThrow(TypeError);
  });

  it("answers every bad request precisely, keeps serving, and stores nothing", { timeout: 60_000 }, async () => {
    const ns = (env as unknown as { MCP_SESSION: DurableObjectNamespace }).MCP_SESSION;
    const objectsBefore = new Set((await listDurableObjectIds(ns)).map((id) => id.toString()));
    const cases = await abuseCorpus({ resource: RESOURCE, token, initialize: INITIALIZE });
    expect(cases.filter((c) => c.name.startsWith("token:")).length).toBeGreaterThanOrEqual(30);
    expect(cases.length).toBeGreaterThanOrEqual(50);
    const wrong: string[] = [];
    for (const c of cases) {
      const res = await send("stateful", await c.build());
      if (res.status !== c.status) wrong.push(`${c.name}: ${res.status} (expected ${c.status})`);
      const body = await res.text();
      if (res.status === 401 && !(res.headers.get("www-authenticate") ?? "").includes("resource_metadata=")) wrong.push(`${c.name}: 401 without resource_metadata`);
      if (body.toLowerCase().includes("eyj")) wrong.push(`${c.name}: echoed something token-like`);
    }
    expect(wrong).toEqual([]);
    // A guessed (well-formed) session id reaches an object, which finds no binding and writes nothing.
    const touched = (await listDurableObjectIds(ns)).filter((id) => !objectsBefore.has(id.toString()));
    for (const id of touched) {
      expect(await runInDurableObject(ns.get(id), async (_i, state) => [...(await state.storage.list()).keys()])).toEqual([]);
    }
    const healthy = await send("stateful", mcpRequest(bearer(await token())));
    expect(healthy.status).toBe(200);
    await healthy.body?.cancel();
  });
});
