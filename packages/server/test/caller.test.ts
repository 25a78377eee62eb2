/**
 * The verified caller on its way from the Worker to its own session object, or from a gateway to a
 * backend (caller.ts): an internal header, so its value stays a portable header value (ASCII:
 * RFC 9110 §5.5 leaves anything else to obs-text) whatever the token's claims hold.
 */
import type { AuthContext } from "@edge-mcp/auth";
import { describe, expect, it } from "vitest";
import { callerFrom, claimsOf, decodeCaller, encodeCaller } from "../src/base/caller.ts";

const verified = (claims: Record<string, unknown>) =>
  callerFrom({ subject: "auth0|josé", clientId: "client-a", scopes: ["tools.read"], claims } as unknown as AuthContext);

describe("the caller header to the session object", () => {
  it("carries claims with any text (accents, emoji, line breaks) as a valid ASCII header value, and restores them exactly", () => {
    const claims = { name: "José Ñúñez 🚀", "https://example.test/roles": ["édition", "admin"], note: "two\nlines" };
    const value = encodeCaller(verified(claims), { claims: true });
    expect(value).toMatch(/^[\x20-\x7e]*$/);
    const headers = new Headers();
    headers.set("x-edge-mcp-caller", value);
    const caller = decodeCaller(headers.get("x-edge-mcp-caller"), { claims: true })!;
    expect(caller).toEqual({ subject: "auth0|josé", clientId: "client-a", scopes: ["tools.read"] });
    expect(claimsOf(caller)).toEqual(claims);
  });

  it("writes claims only when asked (the session object), and restores them only when asked: a caller from a gateway never brings claims", () => {
    const caller = verified({ permissions: ["admin"] });
    expect(encodeCaller(caller)).not.toContain("permissions"); // what a gateway sends its backends
    const fromGateway = decodeCaller(encodeCaller(caller, { claims: true }))!;
    expect(fromGateway.subject).toBe("auth0|josé");
    expect(claimsOf(fromGateway)).toBeUndefined();
  });
});
