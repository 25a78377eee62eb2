/**
 * A loopback proxy for running the conformance suite (which sends no credentials) against a
 * worker with auth ON: it generates an RS256 key for this run, serves its JWKS, and adds
 * `Authorization: Bearer <token>` — a real token for the proxy's own resource URL, with every
 * standard scope — to each request it forwards. Host and everything else pass through, so the
 * worker's own checks (Host/Origin included) still apply.
 */
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

export async function startAuthProxy() {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const kid = `conformance-${crypto.randomUUID()}`;
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" }] };
  const keys = createServer((req, res) => void (req.url === "/.well-known/jwks.json" ? res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(jwks)) : res.writeHead(404).end()));
  await new Promise<void>((resolve) => keys.listen(0, "127.0.0.1", resolve));
  const keysPort = (keys.address() as AddressInfo).port;
  const issuer = `http://localhost:${keysPort}/`;

  let target = "";
  let authorized = 0;
  let token = "";
  const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    const headers = { ...req.headers };
    if (headers.authorization === undefined) {
      headers.authorization = `Bearer ${token}`;
      authorized += 1;
    }
    const upstream = forward(`${target}${req.url ?? "/"}`, { method: req.method, headers }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const url = `http://localhost:${(proxy.address() as AddressInfo).port}`;
  const now = Math.floor(Date.now() / 1000);
  token = await new SignJWT({ scope: "resources.read prompts.read tools.read tools.write", azp: "conformance-suite", client_id: "conformance-suite" })
    .setProtectedHeader({ alg: "RS256", kid, typ: "at+jwt" })
    .setIssuer(issuer)
    .setSubject("conformance|suite")
    .setAudience(`${url}/mcp`)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
  return {
    url,
    issuer,
    jwksUri: `${issuer}.well-known/jwks.json`,
    forwardTo: (origin: string) => void (target = origin),
    authorized: () => authorized,
    stop: () => Promise.all([proxy, keys].map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() => undefined),
  };
}
