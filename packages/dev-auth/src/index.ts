// The public surface of @edge-mcp/dev-auth (Node only).
export { startDevAuthServer, type DevAuthServer, type DevAuthServerOptions, type DevUser } from "./dev-auth-server.ts";
export { loadOrCreateSigningKey } from "./keys.ts";
export { mintAccessToken, type MintOptions } from "./mint-token.ts";
export { devResourceServers, machineClientKeys, type DevResourceServer } from "./resource-servers.ts";
export { loadOrCreateMachineClients, type DevMachineClient } from "./machine-clients.ts";
export { ConnectedAccounts, type ConnectionProvider, type HeldToken } from "./connected-accounts.ts";
export { myAccountAudience, MY_ACCOUNT_SCOPES } from "./my-account.ts";
export { startThirdPartyProvider, type ThirdPartyProvider, type ThirdPartyProviderOptions } from "./third-party-provider.ts";
export { ACCESS_TOKEN_TYPE, FEDERATED_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT, TOKEN_VAULT_GRANT, type DevExchangeClient } from "./token-exchange.ts";
