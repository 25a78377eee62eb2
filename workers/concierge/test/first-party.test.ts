/**
 * A tool calling the company's own API as the user (issue 25 §2, §7): RFC 8693 on-behalf-of
 * exchange at the real local authorization server, checked, cached per user; orders-api (a real
 * Worker) verifies the exchanged token like a customer's API.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { modernClient, sessionClient, textOf, userToken } from "./helpers.ts";

afterEach(() => vi.restoreAllMocks());

type Seen = { orders: Array<{ id: string }>; seen: { sub: string; actor: string; scope: string; audience: string } };
const ordersOf = (result: unknown) => JSON.parse(textOf(result)) as Seen;

describe("my_orders: the orders API as the user (on-behalf-of exchange)", () => {
  it("reaches orders-api with a token for its audience only, the user as sub, this server in act, the declared scope only", async () => {
    const client = await modernClient(await userToken("dev|alice"));
    const result = await client.callTool({ name: "my_orders", arguments: {} });
    expect(result.isError).not.toBe(true);
    const { orders, seen } = ordersOf(result);
    expect(seen).toMatchObject({ sub: "dev|alice", actor: "concierge-exchange", scope: "orders.read" });
    expect(orders.map((o) => o.id)).toEqual(["devalice-1", "devalice-2"]);
  });

  it("works the same in a 2025 session (the token reaches the session object for the exchange, never the tool)", async () => {
    const { client } = await sessionClient(await userToken("dev|carol"));
    const result = await client.callTool({ name: "my_orders", arguments: {} });
    expect(ordersOf(result).seen.sub).toBe("dev|carol");
  });

  it("never uses one user's exchanged token for another, with calls interleaved", async () => {
    const users = ["dev|u1", "dev|u2", "dev|u3", "dev|u4"];
    const clients = await Promise.all(users.map(async (sub) => ({ sub, client: await modernClient(await userToken(sub)) })));
    const rounds = await Promise.all([0, 1, 2].flatMap(() => clients.map(async ({ sub, client }) => ({ sub, seen: ordersOf(await client.callTool({ name: "my_orders", arguments: {} })).seen.sub }))));
    for (const { sub, seen } of rounds) expect(seen).toBe(sub);
  });

  it("exchanges once per user and then serves calls from the cache (single flight under concurrency)", async () => {
    const spy = vi.spyOn(globalThis, "fetch");
    const client = await modernClient(await userToken("dev|cached"));
    await Promise.all([1, 2, 3, 4].map(() => client.callTool({ name: "my_orders", arguments: {} })));
    await client.callTool({ name: "my_orders", arguments: {} });
    const exchanges = spy.mock.calls.filter(([input, init]) => String(input instanceof Request ? input.url : input).endsWith("/token") && String(init?.body ?? "").includes("token-exchange"));
    expect(exchanges).toHaveLength(1);
  });

  it("keeps every token out of logs, results and errors", async () => {
    const lines: string[] = [];
    for (const method of ["log", "info", "warn", "error"] as const) vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    const bearer = await userToken("dev|quiet");
    const client = await modernClient(bearer);
    const result = await client.callTool({ name: "my_orders", arguments: {} });
    const everything = `${lines.join("\n")}\n${JSON.stringify(result)}`;
    expect(everything).not.toContain(bearer);
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/); // no JWT at all
    expect(lines.some((l) => l.includes('"tool_call"') && l.includes("my_orders"))).toBe(true);
  });
});
