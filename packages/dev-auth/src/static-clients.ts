import type { ClientMetadata } from "oidc-provider";
import type { DevMachineClient } from "./machine-clients.ts";
import { TOKEN_EXCHANGE_GRANT, TOKEN_VAULT_GRANT, type DevExchangeClient } from "./token-exchange.ts";

interface StaticClientOptions {
  readonly machineClients?: readonly DevMachineClient[];
  readonly facadeClient?: { readonly clientId: string; readonly clientSecret: string; readonly redirectUri: string };
  readonly webClients?: ReadonlyArray<{ readonly clientId: string; readonly clientSecret: string; readonly redirectUris: readonly string[]; readonly name: string }>;
  readonly exchangeClients?: readonly DevExchangeClient[];
}

/**
 * The stand-in's pre-registered applications, as the provisioner creates them in Auth0: machine
 * clients (client credentials only), confidential web applications (the facade, the operator
 * console, a server's account-connect flow: code only, fixed callbacks), and servers' exchanging
 * clients (the two token-exchange grants, nothing interactive). All authenticate with
 * `client_secret_post`.
 */
export function staticClients(options: StaticClientOptions): ClientMetadata[] {
  const machine = (options.machineClients ?? []).map((c): ClientMetadata => ({
    client_id: c.clientId,
    client_secret: c.clientSecret,
    client_name: c.clientId,
    grant_types: ["client_credentials"],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: "client_secret_post",
  }));
  const web = [
    ...(options.facadeClient === undefined ? [] : [{ ...options.facadeClient, redirectUris: [options.facadeClient.redirectUri], name: "edge-mcp OAuth facade" }]),
    ...(options.webClients ?? []),
  ].map((c): ClientMetadata => ({
    client_id: c.clientId,
    client_secret: c.clientSecret,
    client_name: c.name,
    grant_types: ["authorization_code"],
    response_types: ["code"],
    redirect_uris: [...c.redirectUris],
    token_endpoint_auth_method: "client_secret_post",
  }));
  const exchanging = (options.exchangeClients ?? []).map((c): ClientMetadata => ({
    client_id: c.clientId,
    client_secret: c.clientSecret,
    client_name: `${c.clientId} (token exchange)`,
    grant_types: [TOKEN_EXCHANGE_GRANT, TOKEN_VAULT_GRANT],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: "client_secret_post",
  }));
  return [...machine, ...web, ...exchanging];
}
