import { createServer, type Server } from "node:http";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { freePort } from "@edge-mcp/dev";

export interface BenchIssuer {
  issuer: string;
  jwksUri: string;
  /** Mints an RS256 access token for `audience` (Auth0 rfc9068_profile_authz shape). */
  token(audience: string, scopes?: string[]): Promise<string>;
  /** The bindings of an edge-mcp server at `resource` that accepts this issuer's tokens for it. */
  serverBindings(resource: string): Record<string, string>;
  /** JWKS requests served so far. */
  readonly jwksRequests: number;
  close(): Promise<void>;
}

/** A real RS256 key pair and JWKS endpoint on loopback: the same keys for every system measured. */
export async function startIssuer(): Promise<BenchIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = `bench-${Date.now()}`;
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" }] });
  let jwksRequests = 0;
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}/`;
  const jwksUri = `${issuer}.well-known/jwks.json`;
  const server: Server = createServer((req, res) => {
    if (req.url === "/.well-known/jwks.json") {
      jwksRequests += 1;
      res.writeHead(200, { "content-type": "application/json" }).end(jwks);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    issuer,
    jwksUri,
    token: (audience, scopes = ["tools.read", "tools.write"]) =>
      new SignJWT({ azp: "bench-client", client_id: "bench-client", scope: scopes.join(" "), permissions: scopes })
        .setProtectedHeader({ alg: "RS256", kid, typ: "at+jwt" })
        .setIssuer(issuer)
        .setSubject("auth0|bench")
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime("2h")
        .sign(privateKey),
    serverBindings: (resource) => ({ MCP_RESOURCE: resource, AUTH_ISSUER: issuer, AUTH_AUDIENCES: resource, AUTH_JWKS_URI: jwksUri, ENVIRONMENT: "bench" }),
    get jwksRequests() {
      return jwksRequests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
