// The public surface of @edge-mcp/config (Web-safe). File loading is "@edge-mcp/config/load" (Node).
export { devIssuer, devResource, productionResource, SCOPE_DESCRIPTIONS, serverGrants, serverHost, serverScopes, type ScopeDefinition, type ServerGrant } from "./derive.ts";
export { AccessPolicySchema, EcosystemSchema, ScopeProfileSchema, ServerManifestSchema, type Ecosystem, type ServerManifest } from "./schemas.ts";
