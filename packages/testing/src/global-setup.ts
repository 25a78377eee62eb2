import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import type { TestProject } from "vitest/node";
import "./provided-context.ts";

/**
 * vitest `globalSetup`: the Auth0 stand-in for worker tests — a real RS256 key pair generated
 * per run and a real JWKS served over HTTP on loopback, fetched by the worker exactly as it
 * would fetch Auth0's. Provides `jwksUri` and `privateJwk` to the test project.
 */
export default async function setup(project: TestProject) {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = `test-${crypto.randomUUID()}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "RS256" };
  const server = createServer((req, res) => {
    if (req.url === "/.well-known/jwks.json") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [publicJwk] }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  project.provide("jwksUri", `http://127.0.0.1:${port}/.well-known/jwks.json`);
  project.provide("privateJwk", JSON.stringify(privateJwk));
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
