import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenVerifier, extractBearerToken, InvalidTokenError } from "../../src/index.ts";
import { AUDIENCE, generateSigningKey, mintToken, type SigningKey } from "../helpers/keys.ts";

/** The same package, unchanged, in Node: real HTTP to a real JWKS endpoint on loopback. */
let server: Server;
let issuer: string;
let key: SigningKey;
let requests = 0;

beforeAll(async () => {
  key = await generateSigningKey("node-key");
  server = createServer((req, res) => {
    requests += 1;
    if (req.url === "/.well-known/jwks.json") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [key.publicJwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("@edge-mcp/auth in Node", () => {
  it("verifies a token against a JWKS served over real HTTP, fetching once", async () => {
    const verifier = createTokenVerifier({ issuer, audiences: [AUDIENCE] });
    const token = await mintToken({ key, claims: { iss: issuer } });
    const request = new Request("http://127.0.0.1/mcp", { headers: { authorization: `Bearer ${token}` } });
    const ctx = await verifier.verify(await extractBearerToken(request));
    expect(ctx).toMatchObject({ subject: "auth0|alice", clientId: "client-abc" });
    await verifier.verify(token);
    expect(requests).toBe(1);
  });

  it("rejects a token for another audience", async () => {
    const verifier = createTokenVerifier({ issuer, audiences: [AUDIENCE] });
    const token = await mintToken({ key, claims: { iss: issuer, aud: "https://elsewhere.example.test/mcp" } });
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});
