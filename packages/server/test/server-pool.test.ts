/**
 * Built servers reused per isolate (issue 24): a 2026-07-28 or 2025 stateless request is served
 * by a server built for a caller with the same scopes; nothing of one caller reaches another's call.
 */
import { env } from "cloudflare:workers";
import { McpServer } from "@modelcontextprotocol/server";
import { afterEach, describe, expect, it } from "vitest";
import { createServerPool, POOL_DEFAULTS } from "../src/mcp/server-pool.ts";
import { reusableSetupContext } from "../src/mcp/reusable-setup-context.ts";
import { closeGate, curiousWorker, gate, pooledSetup, pooledWorker, unpooledWorker } from "./fixtures/pooled-worker.ts";
import { MODERN } from "./helpers/modern.ts";
import { RESOURCE, token } from "./helpers/tokens.ts";

type Worker = typeof pooledWorker;
const CAPS_KEY = "io.modelcontextprotocol/clientCapabilities";

function modernCall(worker: Worker, bearer: string, method: string, params: Record<string, unknown>, capabilities: Record<string, object> | null = {}, id = 1): Promise<Response> {
  const meta = { "io.modelcontextprotocol/protocolVersion": MODERN, ...(capabilities === null ? {} : { [CAPS_KEY]: capabilities }), "io.modelcontextprotocol/clientInfo": { name: "pool-test", version: "1" } };
  const name = typeof params.name === "string" ? params.name : undefined;
  return worker.fetch(
    new Request(RESOURCE, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": MODERN, "mcp-method": method, ...(name === undefined ? {} : { "mcp-name": name }), authorization: `Bearer ${bearer}` },
      body: JSON.stringify({ jsonrpc: "2.0", id, method, params: { ...params, _meta: meta } }),
    }),
    env as never,
  );
}

function legacyCall(worker: Worker, bearer: string, method: string, params: Record<string, unknown>, id = 1): Promise<Response> {
  return worker.fetch(
    new Request(RESOURCE, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25", authorization: `Bearer ${bearer}` },
      body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
    }),
    env as never,
  );
}

/** The JSON-RPC answer of a response, whether one JSON body or an SSE stream. */
async function answerOf(res: Response): Promise<{ result?: Record<string, unknown>; error?: { code: number } }> {
  const text = await res.text();
  if (!(res.headers.get("content-type") ?? "").includes("text/event-stream")) return JSON.parse(text);
  const data = text.split("\n").filter((line) => line.startsWith("data: ")).map((line) => JSON.parse(line.slice(6)) as { id?: unknown });
  return data.find((m) => m.id !== undefined) as never;
}

const whoOf = async (res: Response) => JSON.parse(((await answerOf(res)).result as { content: Array<{ text: string }> }).content[0]!.text) as { tag: string; subject: string; clientId: string; scopes: string[]; capabilities: unknown };
const toolNames = async (res: Response) => ((await answerOf(res)).result as { tools: Array<{ name: string }> }).tools.map((t) => t.name).sort();

const CALLERS = [
  { sub: "auth0|alice", client: "client-a", scopes: ["tools.read"] },
  { sub: "auth0|bob", client: "client-b", scopes: ["tools.read", "tools.write"] },
  { sub: "auth0|alice", client: "client-c", scopes: ["tools.read"] },
  { sub: "auth0|carol", client: "client-a", scopes: ["tools.read", "tools.write"] },
];

afterEach(() => {
  gate.open();
  closeGate();
});

describe.each([
  ["MCP 2026-07-28", modernCall],
  ["2025 stateless", (w: Worker, b: string, m: string, p: Record<string, unknown>) => legacyCall(w, b, m, p)],
] as const)("reused built servers, %s", (_era, call) => {
  it("serves sequential calls with the same scopes from one built server (setup ran once)", async () => {
    const bearer = await token({ sub: "auth0|seq", scopes: ["tools.read", "prompts.read"] });
    const before = pooledSetup.runs;
    for (let i = 0; i < 5; i++) expect((await whoOf(await call(pooledWorker, bearer, "tools/call", { name: "who", arguments: { tag: `n${i}` } }))).tag).toBe(`n${i}`);
    expect(pooledSetup.runs - before).toBe(1);
    // A reusable setup never learns the request: it registers everything.
    expect(pooledSetup.sawMethod.at(-1)).toBeUndefined();
  });

  it("keeps interleaved concurrent calls of different users and scope sets apart: each sees its own identity and tool list", async () => {
    const bearers = await Promise.all(CALLERS.map((c) => token(c)));
    // Three waves of concurrent calls: the later waves are served by servers the earlier ones built.
    for (let wave = 0; wave < 3; wave++) {
      const calls = Array.from({ length: 8 }, (_, n) => {
        const i = wave * 8 + n;
        const who = i % CALLERS.length;
        return i % 3 === 2
          ? call(pooledWorker, bearers[who]!, "tools/list", {}).then(async (res) => ({ who, kind: "list" as const, names: await toolNames(res) }))
          : call(pooledWorker, bearers[who]!, "tools/call", { name: "who", arguments: { tag: `call-${i}` } }).then(async (res) => ({ who, kind: "call" as const, i, seen: await whoOf(res) }));
      });
      for (const outcome of await Promise.all(calls)) {
        const expected = CALLERS[outcome.who]!;
        if (outcome.kind === "list") {
          expect(outcome.names).toEqual(expected.scopes.includes("tools.write") ? ["admin_report", "hang", "leaky", "who"] : ["hang", "leaky", "who"]);
        } else {
          expect(outcome.seen).toMatchObject({ tag: `call-${outcome.i}`, subject: expected.sub, clientId: expected.client, scopes: expected.scopes });
        }
      }
    }
  });

  it("does not let a setup that throws poison the pool: the failing scope set fails every time, the others are served", async () => {
    const broken = await token({ sub: "auth0|boom", scopes: ["tools.read", "explode"] });
    const fine = await token({ sub: "auth0|fine", scopes: ["tools.read"] });
    const before = pooledSetup.runs;
    for (let i = 0; i < 2; i++) expect((await call(pooledWorker, broken, "tools/call", { name: "who", arguments: { tag: "x" } })).status).toBe(500);
    // Nothing was kept for the failing scope set: setup ran again on the second call.
    expect(pooledSetup.runs - before).toBeGreaterThanOrEqual(2);
    expect((await whoOf(await call(pooledWorker, fine, "tools/call", { name: "who", arguments: { tag: "after" } }))).subject).toBe("auth0|fine");
  });

  it("does not let a hanging tool hold up or poison the pool: other calls are served by another server meanwhile", async () => {
    const bearer = await token({ sub: "auth0|patient", scopes: ["tools.read", "resources.read"] });
    await call(pooledWorker, bearer, "tools/call", { name: "who", arguments: { tag: "warm" } }).then((r) => r.text());
    const hanging = call(pooledWorker, bearer, "tools/call", { name: "hang", arguments: {} }).then(answerOf);
    for (let i = 0; i < 3; i++) expect((await whoOf(await call(pooledWorker, bearer, "tools/call", { name: "who", arguments: { tag: `during-${i}` } }))).tag).toBe(`during-${i}`);
    gate.open();
    expect(JSON.stringify(await hanging)).toContain("released");
    expect((await whoOf(await call(pooledWorker, bearer, "tools/call", { name: "who", arguments: { tag: "after" } }))).subject).toBe("auth0|patient");
  });

  it("drops a notification a returned tool left behind, instead of sending it on the next caller's exchange of the same server", async () => {
    const scopes = ["tools.read", "prompts.read", "resources.read", "completions.read"];
    const alice = await token({ sub: "auth0|leaver", scopes });
    const bob = await token({ sub: "auth0|next", client: "client-b", scopes });
    expect(JSON.stringify(await answerOf(await call(pooledWorker, alice, "tools/call", { name: "leaky", arguments: {} })))).toContain("returned");
    const res = call(pooledWorker, bob, "tools/call", { name: "hang", arguments: {} });
    const text = res.then((r) => r.text());
    // Bob's call is running (on alice's former server, the only idle one for these scopes) when the gate opens.
    await gate.entered;
    gate.open();
    expect(await text).toContain("released");
    expect(await text).not.toContain("left behind");
  });

  it("builds a server per request with reuse: false, and setup learns the method", async () => {
    const bearer = await token({ sub: "auth0|fresh", scopes: ["tools.read"] });
    const before = pooledSetup.runs;
    for (let i = 0; i < 3; i++) await (await call(unpooledWorker, bearer, "tools/call", { name: "who", arguments: { tag: "f" } })).text();
    expect(pooledSetup.runs - before).toBe(3);
    expect(pooledSetup.sawMethod.at(-1)).toBe("tools/call");
  });

  it("refuses a reusable setup that reads who calls, with a 500 that names the way out in the log, never another caller's server", async () => {
    const res = await call(curiousWorker, await token({ sub: "auth0|alice" }), "tools/call", { name: "mine", arguments: {} });
    expect(res.status).toBe(500);
    expect(JSON.stringify(await answerOf(res))).not.toContain("auth0|alice");
  });
});

describe("what a reused 2026-07-28 server keeps of the previous request", () => {
  it("gives a call only its own request's client capabilities, never those another client declared on the same server", async () => {
    const bearer = await token({ sub: "auth0|caps", scopes: ["tools.read", "prompts.read", "resources.read"] });
    const declared = await whoOf(await modernCall(pooledWorker, bearer, "tools/call", { name: "who", arguments: { tag: "a" } }, { elicitation: { form: {} } }));
    expect(declared.capabilities).toEqual({ elicitation: { form: {} } });
    const bare = await whoOf(await modernCall(pooledWorker, bearer, "tools/call", { name: "who", arguments: { tag: "b" } }, {}));
    expect(bare.capabilities).toEqual({});
    // A request that declares nothing at all never reaches a tool (MCP 2026-07-28 _meta envelope: the
    // declaration is required), so no earlier declaration kept on the instance can stand in for it.
    const silent = await answerOf(await modernCall(pooledWorker, bearer, "tools/call", { name: "who", arguments: { tag: "c" } }, null));
    expect(silent.error?.code).toBe(-32602);
  });
});

describe("the reusable setup contract", () => {
  it("throws a TypeError naming reuse: false when setup reads the caller's subject, client or claims", () => {
    const ctx = reusableSetupContext({ env: {}, transport: "stateless", era: "modern" }, ["tools.read"]);
    expect(ctx.caller.scopes).toEqual(["tools.read"]);
    expect(() => ctx.caller.subject).toThrow(/ctx\.caller\.subject.*reuse: false/);
    expect(() => ctx.caller.clientId).toThrow(TypeError);
    expect(() => ctx.claims).toThrow(/ctx\.claims/);
    expect(ctx.method).toBeUndefined();
  });
});

describe("the pool's bounds", () => {
  const built = () => Promise.resolve({ server: new McpServer({ name: "p", version: "1" }), toolScopes: new Map(), taskPolicies: new Map() });

  it("keeps at most idlePerKey servers per key and at most keys keys, least recently used first out", async () => {
    const pool = createServerPool({ limits: { idlePerKey: 2, keys: 3 } });
    const leases = await Promise.all(Array.from({ length: 5 }, () => pool.acquire("k0", "tools/call", built)));
    for (const lease of leases) lease.settle();
    expect(pool.idleCount()).toBe(2);
    for (const key of ["k1", "k2", "k3", "k4"]) (await pool.acquire(key, "tools/list", built)).settle();
    expect(pool.idleCount()).toBe(3);
    expect(POOL_DEFAULTS.idlePerKey * POOL_DEFAULTS.keys).toBeLessThanOrEqual(256);
  });

  it("never reuses a server whose exchange closed unanswered, nor one that served a method that may leave per-client state", async () => {
    const pool = createServerPool();
    const lease = await pool.acquire("k", "tools/call", built);
    const [transport] = (await import("@modelcontextprotocol/server")).InMemoryTransport.createLinkedPair();
    await lease.built.server.connect(transport);
    lease.settle();
    expect(pool.idleCount()).toBe(0); // still connected: not back yet
    await transport.close(); // closed without an answer (the client went away)
    expect(pool.idleCount()).toBe(0);
    (await pool.acquire("k", "initialize", built)).settle();
    (await pool.acquire("k", "logging/setLevel", built)).settle();
    expect(pool.idleCount()).toBe(0);
  });

  it("takes a server back once its exchange closed answered", async () => {
    const pool = createServerPool();
    const lease = await pool.acquire("k", "tools/call", built);
    const { InMemoryTransport } = await import("@modelcontextprotocol/server");
    const [transport] = InMemoryTransport.createLinkedPair();
    await lease.built.server.connect(transport);
    lease.settle();
    await transport.send({ jsonrpc: "2.0", id: 1, result: {} });
    await transport.close();
    expect(pool.idleCount()).toBe(1);
    const again = await pool.acquire("k", "tools/call", built);
    expect(again.built).toBe(lease.built);
  });

  it("refuses limits that are not positive integers, naming the option", () => {
    expect(() => createServerPool({ limits: { keys: 0 } })).toThrow(/limits\.keys/);
  });
});
