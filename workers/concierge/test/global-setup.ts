/**
 * vitest `globalSetup` for concierge's workerd tests — everything real, on loopback: the local
 * authorization server (oidc-provider) with token exchange, Token Vault and the My Account API,
 * set up as the provisioner sets up Auth0 for this server (its API, its exchanging client allowed
 * the orders API and the github connection, its connect client); the third-party provider
 * stand-in; and orders-api (workers/orders-api) in Miniflare, checking exchanged tokens.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { exportJWK, generateKeyPair } from "jose";
import type { TestProject } from "vitest/node";
import { startDevAuthServer, startThirdPartyProvider } from "@edge-mcp/dev-auth";
import { freePort } from "@edge-mcp/dev/ports";
import { startMiniflareFleet } from "@edge-mcp/dev/miniflare-fleet";
import { CONNECT_CLIENT, EXCHANGE_CLIENT, ORIGIN, PROVIDER_CLIENT, RESOURCE } from "./concierge-test-env.ts";

declare module "vitest" {
  export interface ProvidedContext {
    issuer: string;
    signingJwk: string;
    ordersUrl: string;
    providerUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const [authPort, providerPort, ordersPort] = [await freePort(), await freePort(), await freePort()];
  const issuer = `http://localhost:${authPort}/`;
  const ordersUrl = `http://localhost:${ordersPort}`;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: `concierge-test-${crypto.randomUUID()}`, alg: "RS256" };
  const provider = await startThirdPartyProvider({ port: providerPort, clientId: PROVIDER_CLIENT.id, clientSecret: PROVIDER_CLIENT.secret, redirectUris: [`${issuer}connected-accounts/callback`] });
  const auth = await startDevAuthServer({
    issuer,
    port: authPort,
    signingKey,
    user: { sub: "dev|alice", name: "Alice", email: "alice@example.dev" },
    extraUsers: [{ sub: "dev|bob", name: "Bob", email: "bob@example.dev" }, { sub: "dev|revoked", name: "Rev", email: "rev@example.dev" }],
    resourceServers: [
      { slug: "concierge", name: "Concierge", identifier: RESOURCE, scopes: ["tools.read"] },
      { slug: "orders", name: "Orders API", identifier: `${ordersUrl}/`, scopes: ["orders.read", "orders.write"] },
    ],
    exchangeClients: [{ clientId: EXCHANGE_CLIENT.id, clientSecret: EXCHANGE_CLIENT.secret, api: RESOURCE, audiences: [`${ordersUrl}/`], connections: ["github"] }],
    webClients: [{ clientId: CONNECT_CLIENT.id, clientSecret: CONNECT_CLIENT.secret, redirectUris: [`${ORIGIN}/connect/callback`], name: "concierge connect" }],
    connections: [{ connection: "github", authorizationEndpoint: provider.authorizationEndpoint, tokenEndpoint: provider.tokenEndpoint, clientId: PROVIDER_CLIENT.id, clientSecret: PROVIDER_CLIENT.secret, scopes: ["read:user", "repo"] }],
  });
  const orders = await startMiniflareFleet([
    {
      name: "orders-api",
      config: join(dirname(fileURLToPath(import.meta.url)), "../../orders-api/wrangler.toml"),
      port: ordersPort,
      bindings: { API_ISSUER: issuer, API_AUDIENCE: `${ordersUrl}/`, API_TRUSTED_ACTORS: EXCHANGE_CLIENT.id },
    },
  ]);
  project.provide("issuer", issuer);
  project.provide("signingJwk", JSON.stringify(signingKey));
  project.provide("ordersUrl", ordersUrl);
  project.provide("providerUrl", provider.origin);
  return async () => {
    await orders.dispose();
    await auth.close();
    await provider.close();
  };
}
