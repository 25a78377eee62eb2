/**
 * When acting as the user goes wrong (issue 25 §2, §7): a downstream 401 gets one fresh exchange
 * and then a clear tool error; an authorization server that is down or rate-limiting (429 with
 * Retry-After) gives a tool error that says what to do, and tools with a token in hand go on.
 */
import { inject, afterEach, describe, expect, it, vi } from "vitest";
import { connectInBrowser, modernClient, textOf, userToken } from "./helpers.ts";

afterEach(() => vi.restoreAllMocks());

const urlOf = (input: RequestInfo | URL) => String(input instanceof Request ? input.url : input);
const isExchange = (input: RequestInfo | URL, init?: RequestInit) => urlOf(input).endsWith("/token") && String(init?.body ?? "").includes("grant-type%3Atoken-exchange");

async function connected(sub: string) {
  const client = await modernClient(await userToken(sub), { elicitation: { url: {} } });
  client.setRequestHandler("elicitation/create", async (request) => (await connectInBrowser((request.params as { url: string }).url, sub), { action: "accept" }));
  expect(JSON.parse(textOf(await client.callTool({ name: "github_profile", arguments: {} })))).toMatchObject({ login: sub.replace("|", "-") });
  return client;
}

describe("acting as the user when something fails", () => {
  it("exchanges once more after a downstream 401, then answers when the API refuses that token too", async () => {
    const client = await connected("dev|revoked");
    const fetches = vi.spyOn(globalThis, "fetch");
    // The user revokes every token at the provider: the cached one and the one Token Vault still holds fail.
    await fetch(`${inject("providerUrl")}/settings/revoke-all`, { method: "POST" });
    const result = await client.callTool({ name: "github_profile", arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('"github" refused the user\'s token twice (HTTP 401)');
    const calls = fetches.mock.calls.map(([input]) => urlOf(input));
    expect(calls.filter((u) => u.endsWith("/user"))).toHaveLength(2); // one retry, not a storm
    expect(calls.filter((u) => u.endsWith("/token"))).toHaveLength(1); // one fresh exchange
  });

  it("succeeds on the one fresh exchange when the API refused only the cached token", async () => {
    const client = await modernClient(await userToken("dev|refreshed"));
    await client.callTool({ name: "my_orders", arguments: {} }); // a token in the cache
    const real = globalThis.fetch;
    let refused = false;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      // The orders API refuses the first token it sees (revoked early), as a real API would: 401.
      if (!refused && urlOf(input).endsWith("/orders")) return (refused = true), new Response('{"error":"invalid_token"}', { status: 401 });
      return real(input, init);
    });
    const result = await client.callTool({ name: "my_orders", arguments: {} });
    expect(result.isError).not.toBe(true);
    expect(JSON.parse(textOf(result)).seen.sub).toBe("dev|refreshed");
  });

  it("answers a clear tool error when the authorization server is down, while a user with a token in hand goes on", async () => {
    const cached = await modernClient(await userToken("dev|warm"));
    await cached.callTool({ name: "my_orders", arguments: {} });
    const real = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => (isExchange(input, init) ? Promise.reject(new TypeError("connection refused")) : real(input, init)));
    const cold = await modernClient(await userToken("dev|cold"));
    const failed = await cold.callTool({ name: "my_orders", arguments: {} });
    expect(failed.isError).toBe(true);
    expect(textOf(failed)).toContain("could not be reached");
    const served = await cached.callTool({ name: "my_orders", arguments: {} });
    expect(JSON.parse(textOf(served)).seen.sub).toBe("dev|warm");
  });

  it("honours the authorization server's 429: says when to try again and asks nothing before then", async () => {
    const real = globalThis.fetch;
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => (isExchange(input, init) ? new Response('{"error":"too_many_requests"}', { status: 429, headers: { "retry-after": "2" } }) : real(input, init)));
    const client = await modernClient(await userToken("dev|limited"));
    const first = await client.callTool({ name: "my_orders", arguments: {} });
    expect(textOf(first)).toMatch(/rate-limiting token exchanges: try again in [12] s/);
    const second = await modernClient(await userToken("dev|limited-too"));
    expect(textOf(await second.callTool({ name: "my_orders", arguments: {} }))).toMatch(/try again in [12] s/);
    expect(spy.mock.calls.filter(([input, init]) => isExchange(input, init))).toHaveLength(1);
    spy.mockRestore();
    // Once the Retry-After has passed, exchanges go through again.
    await expect.poll(async () => JSON.parse(textOf(await second.callTool({ name: "my_orders", arguments: {} })) || "{}").seen?.sub, { timeout: 10_000, interval: 500 }).toBe("dev|limited-too");
  });
});
