import { describe, expect, it } from "vitest";
import type { BackendTarget } from "../src/backend-target.ts";
import { Catalog } from "../src/catalog.ts";

const lister = { subject: "gw", clientId: "gw", scopes: ["tools.read"] };
const alice = { subject: "auth0|alice", clientId: "claude", scopes: ["tools.read"] };

/** A fleet backend whose `tools/list` answers at once (or after `delayMs`), except the calls `hangs` names (by number). */
function backend(hangs: ReadonlySet<number>, delayMs = 0): BackendTarget & { calls: number } {
  const target = {
    name: "notes",
    kind: "service" as const,
    calls: 0,
    async send(request: Request): Promise<Response> {
      target.calls += 1;
      // workerd ends a request's I/O with the request: a listing whose request was cancelled never answers.
      if (hangs.has(target.calls)) return new Promise<Response>(() => undefined);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      const { id } = (await request.json()) as { id: number | string };
      return Response.json({ jsonrpc: "2.0", id, result: { resultType: "complete", tools: [{ name: "echo", inputSchema: { type: "object" } }], ttlMs: 60_000 } });
    },
  };
  return target;
}

describe("the gateway's catalog of backend lists", () => {
  it("asks a backend again when the listing in flight was abandoned: a fetch that never settles leaves it out of one listing, not of every one after", async () => {
    const catalog = new Catalog({ timeoutMs: 100, maxCacheMs: 60_000, lister });
    const notes = backend(new Set([1]));
    expect((await catalog.toolsOf([notes], alice)).has("notes")).toBe(false); // timed out
    const next = await catalog.toolsOf([notes], alice);
    expect(next.get("notes")?.map((t) => t.name)).toEqual(["echo"]);
    expect(notes.calls).toBe(2);
    expect(catalog.health("notes").status).toBe("ok");
  });

  it("shares one fetch among listings that miss at the same time", async () => {
    const catalog = new Catalog({ timeoutMs: 1_000, maxCacheMs: 60_000, lister });
    const notes = backend(new Set());
    const lists = await Promise.all([catalog.toolsOf([notes], alice), catalog.toolsOf([notes], alice), catalog.toolsOf([notes], alice)]);
    for (const list of lists) expect(list.get("notes")?.map((t) => t.name)).toEqual(["echo"]);
    expect(notes.calls).toBe(1);
  });

  it("hands a fetch that outlives its listing to keepAlive (workerd drops a request's pending work once it has answered), and tells listeners when its tools arrive", async () => {
    const kept: Array<Promise<unknown>> = [];
    const catalog = new Catalog({ timeoutMs: 50, maxCacheMs: 60_000, lister, keepAlive: (work) => void kept.push(work) });
    const late: string[] = [];
    catalog.onLateTools((backendName) => late.push(backendName));
    const notes = backend(new Set(), 200);
    expect((await catalog.toolsOf([notes], alice)).has("notes")).toBe(false); // missed the timeout
    expect(kept).toHaveLength(1);
    expect(late).toEqual([]);
    await kept[0];
    expect(late).toEqual(["notes"]);
    expect((await catalog.toolsOf([notes], alice)).get("notes")?.map((t) => t.name)).toEqual(["echo"]); // from the cache it filled
    expect(notes.calls).toBe(1);
  });
});
