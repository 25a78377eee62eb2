/**
 * vitest `globalSetup` for the console's workerd tests: the real local authorization server
 * (`@edge-mcp/dev-auth`, oidc-provider) on loopback, set up as the provisioner sets up Auth0 for
 * the console — its API with the operator scope granted to operators only (RBAC), and the
 * console's confidential web application — plus the signing key, for tokens the tests mint.
 */
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import type { TestProject } from "vitest/node";
import { startDevAuthServer } from "@edge-mcp/dev-auth";
import { CONSOLE_AUDIENCE, CONSOLE_CLIENT_ID, CONSOLE_CLIENT_SECRET, CONSOLE_ORIGIN } from "./console-test-env.ts";

declare module "vitest" {
  export interface ProvidedContext {
    consoleIssuer: string;
    consoleSigningJwk: string;
  }
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

export default async function setup(project: TestProject) {
  const port = await freePort();
  const issuer = `http://localhost:${port}/`;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: `console-test-${crypto.randomUUID()}`, alg: "RS256" };
  const server = await startDevAuthServer({
    issuer,
    port,
    signingKey,
    user: { sub: "dev|alice", name: "Alice Operator", email: "alice@example.dev" },
    extraUsers: [{ sub: "dev|bob", name: "Bob Developer", email: "bob@example.dev" }],
    resourceServers: [
      { slug: "console", name: "edge-mcp console", identifier: CONSOLE_AUDIENCE, scopes: ["fleet.read"] },
      { slug: "notes", name: "Notes", identifier: "https://notes-mcp.example.test/mcp", scopes: ["tools.read", "fleet.read"] },
    ],
    webClients: [{ clientId: CONSOLE_CLIENT_ID, clientSecret: CONSOLE_CLIENT_SECRET, redirectUris: [`${CONSOLE_ORIGIN}/callback`], name: "edge-mcp console" }],
    operators: { scope: "fleet.read", subjects: ["dev|alice"] },
  });
  project.provide("consoleIssuer", issuer);
  project.provide("consoleSigningJwk", JSON.stringify(signingKey));
  return () => server.close();
}
