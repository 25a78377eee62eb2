import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createFacadeTokenVerifier, InvalidTokenError, JwksUnavailableError, type FacadeTokenValidator } from "../src/index.ts";

const RESOURCE = "https://notes-mcp.example.test/mcp";
const ISSUER = "https://auth.example.test";
const TOKEN = "ZGV2fGFsaWNl:grant123:secret456";

/**
 * Stands in for the facade's service binding: answers like OAuthAuthorizationServer.validateToken
 * (a record, or null) for the tokens it holds, and counts the calls. The real binding is exercised
 * end to end in scripts/dev/test/e2e-facade.test.ts.
 */
function facade(records: Record<string, unknown>) {
  const calls: Array<[string, string]> = [];
  const validator: FacadeTokenValidator = {
    async validateToken(resource, token) {
      calls.push([resource, token]);
      return records[token] ?? null;
    },
  };
  return { validator, calls };
}

const active = (overrides: Record<string, unknown> = {}) => ({
  audience: RESOURCE,
  expiresAt: Math.floor(Date.now() / 1000) + 3600,
  scope: ["tools.read", "tools.write"],
  userId: "dev|alice",
  clientId: "client-1",
  props: { sub: "dev|alice" },
  ...overrides,
});

describe("createFacadeTokenVerifier", () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date("2026-12-02T10:00:00Z"), toFake: ["Date"] }));
  afterEach(() => vi.useRealTimers());

  it("turns an active token into the caller: the Auth0 subject, the client, the scopes, for this resource only", async () => {
    const { validator, calls } = facade({ [TOKEN]: active() });
    const auth = await createFacadeTokenVerifier({ issuer: ISSUER, resource: RESOURCE, validator }).verify(TOKEN);
    expect(auth).toMatchObject({ subject: "dev|alice", clientId: "client-1", scopes: ["tools.read", "tools.write"] });
    expect(auth.claims).toMatchObject({ iss: ISSUER, aud: RESOURCE });
    expect(calls).toEqual([[RESOURCE, TOKEN]]);
  });

  it("hands tools only the server's scopes: offline_access and the other OIDC protocol scopes are not a server's (OIDC Core §11)", async () => {
    const { validator } = facade({ [TOKEN]: active({ scope: ["offline_access", "tools.read", "openid", "tools.read"] }) });
    const auth = await createFacadeTokenVerifier({ issuer: ISSUER, resource: RESOURCE, validator }).verify(TOKEN);
    expect(auth.scopes).toEqual(["tools.read"]);
    expect(auth.claims.permissions).toEqual(["tools.read"]);
  });

  it("answers an unknown, revoked or other-resource token with 401 invalid_token (reason inactive)", async () => {
    const { validator } = facade({});
    const error = await createFacadeTokenVerifier({ issuer: ISSUER, resource: RESOURCE, validator }).verify(TOKEN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect((error as InvalidTokenError).reason).toBe("inactive");
  });

  it("refuses a record for another audience even if the facade returned one (RFC 8707 §2)", async () => {
    const { validator } = facade({ [TOKEN]: active({ audience: "https://hello-mcp.example.test/mcp" }) });
    const error = await createFacadeTokenVerifier({ issuer: ISSUER, resource: RESOURCE, validator }).verify(TOKEN).catch((e: unknown) => e);
    expect((error as InvalidTokenError).reason).toBe("wrong_audience");
  });

  it("answers 503 (not 401) when the facade cannot be reached or answers nonsense", async () => {
    const down: FacadeTokenValidator = { validateToken: () => Promise.reject(new Error("binding down")) };
    await expect(createFacadeTokenVerifier({ issuer: ISSUER, resource: RESOURCE, validator: down }).verify(TOKEN)).rejects.toBeInstanceOf(JwksUnavailableError);
    const odd = facade({ [TOKEN]: { audience: RESOURCE } });
    await expect(createFacadeTokenVerifier({ issuer: ISSUER, resource: RESOURCE, validator: odd.validator }).verify(TOKEN)).rejects.toBeInstanceOf(JwksUnavailableError);
  });

  it("refuses a token with spaces or too long before asking the facade", async () => {
    const { validator, calls } = facade({});
    const verifier = createFacadeTokenVerifier({ issuer: ISSUER, resource: RESOURCE, validator });
    for (const bad of ["a b", "x".repeat(9000), ""]) {
      await expect(verifier.verify(bad)).rejects.toMatchObject({ reason: "malformed" });
    }
    expect(calls).toHaveLength(0);
  });

  it("asks again after cacheSeconds: a revoked token stops working within that bound", async () => {
    const records: Record<string, unknown> = { [TOKEN]: active() };
    const { validator, calls } = facade(records);
    const verifier = createFacadeTokenVerifier({ issuer: ISSUER, resource: RESOURCE, validator, cacheSeconds: 5 });
    await verifier.verify(TOKEN);
    await verifier.verify(TOKEN);
    expect(calls).toHaveLength(1); // the second is served from the isolate's cache
    delete records[TOKEN]; // revoked at the facade
    vi.setSystemTime(Date.now() + 4_000);
    await expect(verifier.verify(TOKEN)).resolves.toMatchObject({ subject: "dev|alice" });
    vi.setSystemTime(Date.now() + 1_001);
    await expect(verifier.verify(TOKEN)).rejects.toMatchObject({ reason: "inactive" });
    expect(calls).toHaveLength(2);
  });

  it("with cacheSeconds 0 asks the facade on every request", async () => {
    const { validator, calls } = facade({ [TOKEN]: active() });
    const verifier = createFacadeTokenVerifier({ issuer: ISSUER, resource: RESOURCE, validator, cacheSeconds: 0 });
    await verifier.verify(TOKEN);
    await verifier.verify(TOKEN);
    expect(calls).toHaveLength(2);
  });

  it("checks its options once, naming the bad one", () => {
    const { validator } = facade({});
    expect(() => createFacadeTokenVerifier({ issuer: ISSUER, resource: RESOURCE, validator: {} as FacadeTokenValidator })).toThrow(/option "validator"/);
    expect(() => createFacadeTokenVerifier({ issuer: ISSUER, resource: RESOURCE, validator, cacheSeconds: 301 })).toThrow(/option "cacheSeconds"/);
  });
  it("reports whether the facade answers over the binding, without throwing (for /health)", async () => {
    const { validator } = facade({});
    expect(await createFacadeTokenVerifier({ issuer: ISSUER, resource: RESOURCE, validator }).reachable()).toBe(true);
    const down: FacadeTokenValidator = { validateToken: () => Promise.reject(new Error("binding down")) };
    expect(await createFacadeTokenVerifier({ issuer: ISSUER, resource: RESOURCE, validator: down }).reachable()).toBe(false);
  });

  it("asks the facade once about a dead token within the refusal window (5 s), then again after it (issue 23 finding 10)", async () => {
    const { validator, calls } = facade({});
    const verifier = createFacadeTokenVerifier({ issuer: ISSUER, resource: RESOURCE, validator });
    for (let i = 0; i < 5; i++) await expect(verifier.verify("dead:token:x")).rejects.toBeInstanceOf(InvalidTokenError);
    expect(calls).toHaveLength(1);
    vi.setSystemTime(Date.now() + 5_001);
    await expect(verifier.verify("dead:token:x")).rejects.toBeInstanceOf(InvalidTokenError);
    expect(calls).toHaveLength(2);
  });

  it("probes the facade for /health at most once per 10 s however often it is asked (the endpoint is public)", async () => {
    const { validator, calls } = facade({});
    const verifier = createFacadeTokenVerifier({ issuer: ISSUER, resource: RESOURCE, validator });
    for (let i = 0; i < 5; i++) expect(await verifier.reachable()).toBe(true);
    expect(calls).toHaveLength(1);
    vi.setSystemTime(Date.now() + 10_001);
    await verifier.reachable();
    expect(calls).toHaveLength(2);
  });
});
