import { evictDurableObject } from "cloudflare:test";
import { importJWK, SignJWT, type JWK } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { textOf } from "@edge-mcp/testing";
import { connect, post, send, sessionStub } from "./helpers/mcp.ts";
import { ISSUER, RESOURCE, token } from "./helpers/tokens.ts";

const control = async (action: "down" | "up" | "stats") => (await (await fetch(`http://jwks-control.test/${action}`)).json()) as { down: boolean; fetches: number };

afterEach(async () => {
  vi.useRealTimers();
  await control("up");
});

describe("reliability under load (in workerd, loopback only)", () => {
  it("serves 100 concurrent stateful sessions × 100 tool calls across 10 users with 0 errors and 0 cross-user reads", { timeout: 240_000 }, async () => {
    const SESSIONS = 100;
    const CALLS = 100;
    const sessions = await Promise.all(
      Array.from({ length: SESSIONS }, async (_, i) => {
        const sub = `auth0|load-user-${i % 10}`;
        const { client, transport } = await connect("stateful", { token: await token({ sub, scopes: ["tools.read", "tools.write"] }) }, {}, { standaloneStream: false });
        return { sub, client, transport };
      }),
    );
    let errors = 0;
    let crossUser = 0;
    await Promise.all(
      sessions.map(async ({ sub, client }) => {
        for (let call = 0; call < CALLS; call++) {
          try {
            if (call % 2 === 0) {
              const n = Number(textOf(await client.callTool({ name: "bump", arguments: {} })));
              if (n !== call / 2 + 1) errors += 1; // session state: exactly this session's count
            } else {
              const who = JSON.parse(textOf(await client.callTool({ name: "whoami", arguments: {} }))) as { auth: { subject: string } };
              if (who.auth.subject !== sub) crossUser += 1;
            }
          } catch {
            errors += 1;
          }
        }
      }),
    );
    expect({ errors, crossUser }).toEqual({ errors: 0, crossUser: 0 });
    await Promise.all(sessions.map((s) => s.client.close()));
  });

  it("keeps sessions going when their Durable Objects are evicted mid-run", { timeout: 60_000 }, async () => {
    const sessions = await Promise.all(
      Array.from({ length: 10 }, async (_, i) =>
        connect("stateful", { token: await token({ sub: `auth0|evict-${i}`, scopes: ["tools.read", "tools.write"] }) }, {}, { standaloneStream: false }),
      ),
    );
    let errors = 0;
    for (let round = 1; round <= 10; round++) {
      await Promise.all(
        sessions.map(async ({ client }) => {
          const n = Number(textOf(await client.callTool({ name: "bump", arguments: {} })).trim());
          if (n !== round) errors += 1;
        }),
      );
      if (round % 3 === 0) await Promise.all(sessions.map(({ transport }) => evictDurableObject(sessionStub(transport.sessionId!))));
    }
    expect(errors).toBe(0);
  });

  it("fails 0 requests while the JWKS endpoint is down for the whole run with a warm cache, even past key max-age", { timeout: 60_000 }, async () => {
    const warm = await post("stateless", { jsonrpc: "2.0", id: 1, method: "ping" }, { authorization: `Bearer ${await token()}` });
    expect(warm.status).toBe(200);
    await warm.text();
    await control("down");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 11 * 60_000); // keys are now past their 10-minute max-age
    let failed = 0;
    for (let i = 0; i < 50; i++) {
      const res = await post("stateless", { jsonrpc: "2.0", id: i, method: "tools/call", params: { name: "echo", arguments: { text: `r${i}` } } }, {
        authorization: `Bearer ${await token({ sub: `auth0|outage-${i}` })}`,
      });
      if (res.status !== 200) failed += 1;
      await res.text();
    }
    expect(failed).toBe(0);
    // /health says so: still able to verify (200), keys stale, authorization server unreachable.
    const health = await send("stateless", new Request("https://test-mcp.example.test/health"));
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", auth: { jwks: { state: "stale", keyCount: 1 }, authorizationServerReachable: false } });
  });

  it("accepts a rotated-in key after exactly one JWKS refetch, with 0 failed requests", { timeout: 60_000 }, async () => {
    const before = await control("stats");
    const { privateJwk } = (await (await fetch("http://jwks-control.test/rotate")).json()) as { privateJwk: JWK & { kid: string } };
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 20 * 60_000); // past the cooldown and the keys' max-age: one refetch is due
    const key = await importJWK(privateJwk, "RS256");
    let failed = 0;
    for (let i = 0; i < 20; i++) {
      const rotated = await new SignJWT({ azp: "client-a", client_id: "client-a", scope: "tools.read", permissions: ["tools.read"] })
        .setProtectedHeader({ alg: "RS256", kid: privateJwk.kid, typ: "at+jwt" })
        .setIssuer(ISSUER)
        .setSubject(`auth0|rotated-${i}`)
        .setAudience(RESOURCE)
        .setExpirationTime(Math.floor(Date.now() / 1000) + 600)
        .sign(key);
      const res = await post("stateless", { jsonrpc: "2.0", id: i, method: "ping" }, { authorization: `Bearer ${rotated}` });
      if (res.status !== 200) failed += 1;
      await res.text();
    }
    expect(failed).toBe(0);
    expect((await control("stats")).fetches - before.fetches).toBeLessThanOrEqual(1);
  });
});
