/**
 * orders-api checks an exchanged token as a customer's API would (issue 25 §4): its audience, the
 * issuer's signature and expiry, a trusted actor in `act` (RFC 8693 §4.1), and its scope.
 */
import { exports } from "cloudflare:workers";
import { importJWK, SignJWT, type JWK } from "jose";
import { inject, describe, expect, it } from "vitest";

const AUDIENCE = "https://orders.example.test/";
const ISSUER = "https://tenant.example-auth.test/";

async function token(claims: { aud?: string; act?: unknown; scope?: string; iss?: string; sub?: string } = {}): Promise<string> {
  const jwk = JSON.parse(inject("privateJwk")) as JWK & { kid: string };
  const { act = { sub: "concierge-exchange" }, scope = "orders.read" } = claims;
  return new SignJWT({ scope, permissions: scope.split(" "), azp: "concierge-exchange", ...(act === null ? {} : { act }) })
    .setProtectedHeader({ alg: "RS256", kid: jwk.kid, typ: "at+jwt" })
    .setIssuer(claims.iss ?? ISSUER)
    .setSubject(claims.sub ?? "dev|alice")
    .setAudience(claims.aud ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(await importJWK(jwk, "RS256"));
}

const orders = async (bearer: string) => exports.default.fetch(new Request(`${AUDIENCE}orders`, { headers: { authorization: `Bearer ${bearer}` } }));

describe("orders-api (a first-party API taking exchanged tokens)", () => {
  it("answers the user's orders for a token exchanged for it by a trusted actor, saying what it saw", async () => {
    const res = await orders(await token());
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ orders: [{ id: "devalice-1" }, { id: "devalice-2" }], seen: { sub: "dev|alice", actor: "concierge-exchange", scope: "orders.read", audience: AUDIENCE } });
  });

  it("refuses a token for another audience (the MCP server's own token passed through)", async () => {
    const res = await orders(await token({ aud: "https://concierge-mcp.example.test/mcp" }));
    expect(res.status).toBe(401);
  });

  it("refuses a token without act, and one whose actor it does not trust", async () => {
    expect((await orders(await token({ act: null }))).status).toBe(403);
    expect((await orders(await token({ act: { sub: "someone-else" } }))).status).toBe(403);
  });

  it("refuses a token without its scope", async () => {
    expect((await orders(await token({ scope: "profile.read" }))).status).toBe(403);
  });

  it("refuses a token from another issuer", async () => {
    expect((await orders(await token({ iss: "https://evil.example/" }))).status).toBe(401);
  });
});
