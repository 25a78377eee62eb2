// The public surface of @edge-mcp/dev-auth (Node only).
export { startDevAuthServer, type DevAuthServer, type DevAuthServerOptions, type DevUser } from "./dev-auth-server.ts";
export { loadOrCreateSigningKey } from "./keys.ts";
export { mintAccessToken, type MintOptions } from "./mint-token.ts";
export { devResourceServers, machineClientKeys, type DevResourceServer } from "./resource-servers.ts";
export { loadOrCreateMachineClients, type DevMachineClient } from "./machine-clients.ts";
