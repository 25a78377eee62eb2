import { countingBody } from "@edge-mcp/testing";
import { Hono } from "hono";
import { beforeAll, describe, expect, it } from "vitest";
import { AUTH_DEFAULTS, protectedResourceMetadataUrl, requireAuth, type AuthEnv, type TokenVerifier } from "../src/index.ts";
import { JwksEndpoint } from "./helpers/jwks-endpoint.ts";
import { AUDIENCE, mintToken, type SigningKey } from "./helpers/keys.ts";
import { setup } from "./helpers/verifier.ts";

const PRM = protectedResourceMetadataUrl(AUDIENCE);
let key: SigningKey;
let verifier: TokenVerifier;
let endpoint: JwksEndpoint;
let app: Hono<AuthEnv>;

beforeAll(async () => {
  ({ key, verifier, endpoint } = await setup());
  app = new Hono<AuthEnv>();
  app.use("/mcp", requireAuth({ verifier, resourceMetadataUrl: PRM, challengeScopes: ["tools.read", "resources.read"] }));
  app.post("/mcp", (c) => c.json({ subject: c.var.auth.subject, scopes: c.var.auth.scopes }));
  app.use("/write", requireAuth({ verifier, resourceMetadataUrl: PRM, requiredScopes: ["tools.write"] }));
  app.post("/write", (c) => c.json({ ok: true }));
});

const call = (path: string, headers: HeadersInit = {}) => app.request(path, { method: "POST", headers });

describe("requireAuth (Hono middleware)", () => {
  it("sets c.var.auth for a valid token and runs the handler", async () => {
    const res = await call("/mcp", { authorization: `Bearer ${await mintToken({ key })}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ subject: "auth0|alice", scopes: ["tools.read", "resources.read"] });
  });

  it("answers a request without credentials with 401 and a challenge carrying no error (RFC 6750 §3.1) but resource_metadata and scope (MCP)", async () => {
    const res = await call("/mcp");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(`Bearer scope="tools.read resources.read", resource_metadata="${PRM}"`);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("answers an invalid token with 401 error=\"invalid_token\" and a description, never echoing the token", async () => {
    const token = await mintToken({ key, claims: { exp: Math.floor(Date.now() / 1000) - 3600 } });
    const res = await call("/mcp", { authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    const challenge = res.headers.get("www-authenticate") ?? "";
    expect(challenge).toMatch(/^Bearer error="invalid_token", error_description="The access token has expired\.", scope="tools\.read resources\.read", resource_metadata="/);
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ error: "invalid_token", reason: "expired" });
    expect(body + challenge).not.toContain(token.split(".")[2]!);
  });

  it("answers a malformed Authorization header with 400 invalid_request", async () => {
    const res = await call("/mcp", { authorization: "Bearer a b" });
    expect(res.status).toBe(400);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_request"');
  });

  it("answers two Authorization headers with 400 invalid_request", async () => {
    const headers = new Headers();
    headers.append("authorization", `Bearer ${await mintToken({ key })}`);
    headers.append("authorization", `Bearer ${await mintToken({ key })}`);
    const res = await call("/mcp", headers);
    expect(res.status).toBe(400);
  });

  it("answers a token without the required scope with 403 insufficient_scope naming the scopes needed (step-up)", async () => {
    const res = await call("/write", { authorization: `Bearer ${await mintToken({ key })}` });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer error="insufficient_scope", error_description="This operation needs the scopes: tools.write.", scope="tools.write", resource_metadata="${PRM}"`,
    );
  });

  it("lets a token with tools.write through a tools.write route", async () => {
    const res = await call("/write", { authorization: `Bearer ${await mintToken({ key, claims: { permissions: ["tools.write"] } })}` });
    expect(res.status).toBe(200);
  });

  it("answers 503 with Retry-After, not 401, when no keys can be had", async () => {
    const { verifier: cold, key: coldKey, endpoint: down } = await setup();
    down.mode = "down";
    const coldApp = new Hono<AuthEnv>();
    coldApp.use("*", requireAuth({ verifier: cold, resourceMetadataUrl: PRM }));
    coldApp.post("/mcp", (c) => c.text("ran"));
    const res = await coldApp.request("/mcp", { method: "POST", headers: { authorization: `Bearer ${await mintToken({ key: coldKey })}` } });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe(String(AUTH_DEFAULTS.jwksUnavailableRetryAfterSeconds));
    expect(res.headers.has("www-authenticate")).toBe(false);
    expect(await res.json()).toMatchObject({ error: "temporarily_unavailable" });
  });

  it("throws a TypeError naming the option when constructed with a bad resourceMetadataUrl", () => {
    expect(() => requireAuth({ verifier, resourceMetadataUrl: "nope" })).toThrow(/option "resourceMetadataUrl"/);
  });

  it("keeps verifying with one JWKS fetch across all requests of this file", () => {
    expect(endpoint.fetchCount).toBe(1);
  });

  it("applies the same bound before authentication: a DELETE with a 64 MiB chunked form body gets 400 after reading at most 16 KiB + a chunk (issue 13 §3)", async () => {
    const { stream, counter } = countingBody(64 * 1024 * 1024);
    const res = await app.request("/mcp", { method: "DELETE", headers: { "content-type": "application/x-www-form-urlencoded" }, body: stream, duplex: "half" } as RequestInit);
    expect(res.status).toBe(400);
    expect(counter.pulled).toBeLessThanOrEqual(16_384 + 2 * 65_536);
  });
});
