/**
 * Bounds on what one authenticated caller can make the server store (issue 13 §9): live
 * sessions per subject (the oldest ends when a new one passes the cap) and the size of the
 * stored initialize.
 */
import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { statefulWorker } from "./fixtures/test-worker.ts";
import { INITIALIZE, sessionStub } from "./helpers/mcp.ts";
import { RESOURCE, token } from "./helpers/tokens.ts";

const capped = { ...(env as object), MAX_SESSIONS_PER_SUBJECT: "2" };

function send(body: unknown, bearer: string, sessionId?: string) {
  return statefulWorker.fetch(new Request(RESOURCE, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      authorization: `Bearer ${bearer}`,
      ...(sessionId === undefined ? {} : { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-11-25" }),
    },
    body: JSON.stringify(body),
  }), capped as never);
}

async function open(bearer: string): Promise<string> {
  const res = await send(INITIALIZE, bearer);
  expect(res.status).toBe(200);
  await res.body?.cancel();
  return res.headers.get("mcp-session-id")!;
}

async function works(bearer: string, sessionId: string): Promise<number> {
  const res = await send({ jsonrpc: "2.0", id: 2, method: "tools/list" }, bearer, sessionId);
  await res.body?.cancel();
  return res.status;
}

describe("live sessions per subject", () => {
  it("ends the oldest session (and deletes its storage) when a subject opens one more than the cap", async () => {
    const sub = `auth0|many-${crypto.randomUUID()}`;
    const bearer = await token({ sub });
    const [first, second] = [await open(bearer), await open(bearer)];
    expect(await works(bearer, first)).toBe(200);
    const third = await open(bearer);
    expect(await works(bearer, first)).toBe(404);
    expect(await runInDurableObject(sessionStub(first), async (_i, state) => [...(await state.storage.list()).keys()])).toEqual([]);
    expect(await works(bearer, second)).toBe(200);
    expect(await works(bearer, third)).toBe(200);
  });

  it("counts per subject: another user's sessions are not affected", async () => {
    const alice = await token({ sub: `auth0|alice-${crypto.randomUUID()}` });
    const bob = await token({ sub: `auth0|bob-${crypto.randomUUID()}` });
    const alicesFirst = await open(alice);
    await open(bob);
    await open(bob);
    await open(bob);
    expect(await works(alice, alicesFirst)).toBe(200);
  });

  it("frees the place of a session ended with DELETE", async () => {
    const bearer = await token({ sub: `auth0|tidy-${crypto.randomUUID()}` });
    const [first, second] = [await open(bearer), await open(bearer)];
    const del = await statefulWorker.fetch(new Request(RESOURCE, { method: "DELETE", headers: { authorization: `Bearer ${bearer}`, "mcp-session-id": second } }), capped as never);
    expect(del.status).toBe(200);
    await open(bearer);
    expect(await works(bearer, first)).toBe(200);
  });
});

describe("the stored initialize", () => {
  it("refuses an initialize over 64 KiB with 413, creating no session object", async () => {
    const before = (await listDurableObjectIds((env as unknown as { MCP_SESSION: DurableObjectNamespace }).MCP_SESSION)).length;
    const big = { ...INITIALIZE, params: { ...INITIALIZE.params, clientInfo: { name: "x".repeat(70_000), version: "1" } } };
    const res = await send(big, await token({ sub: `auth0|big-${crypto.randomUUID()}` }));
    expect(res.status).toBe(413);
    expect((await listDurableObjectIds((env as unknown as { MCP_SESSION: DurableObjectNamespace }).MCP_SESSION)).length).toBe(before);
  });
});

describe("open listening streams per subject (issue 23 finding 7)", () => {
  const real = env as never;
  const get = (bearer: string, sessionId: string) =>
    statefulWorker.fetch(new Request(RESOURCE, { method: "GET", headers: { accept: "text/event-stream", authorization: `Bearer ${bearer}`, "mcp-session-id": sessionId, "mcp-protocol-version": "2025-11-25" } }), real);
  async function session(bearer: string): Promise<string> {
    const res = await statefulWorker.fetch(new Request(RESOURCE, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${bearer}` }, body: JSON.stringify(INITIALIZE) }), real);
    await res.body?.cancel();
    return res.headers.get("mcp-session-id")!;
  }

  it("holds at most 10 sessions' GET streams open for one subject: the 11th is refused 429 with the listener code", async () => {
    const bearer = await token({ sub: "auth0|many-streams" });
    const streams: Response[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await get(bearer, await session(bearer));
      expect(res.status).toBe(200);
      streams.push(res);
    }
    const eleventh = await get(bearer, await session(bearer));
    expect(eleventh.status).toBe(429);
    expect(await eleventh.json()).toMatchObject({ error: { data: { code: "too_many_listeners" } } });
    await Promise.all(streams.map((s) => s.body?.cancel()));
  });
});
