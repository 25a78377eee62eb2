// The public surface of @edge-mcp/config (Web-safe). File loading is "@edge-mcp/config/load" (Node).
export { devIssuer, devResource, facadeHost, facadeIssuer, productionResource, SCOPE_DESCRIPTIONS, serverGrants, serverHost, serverScopes, type ScopeDefinition, type ServerGrant } from "./derive.ts";
export { AccessPolicySchema, DEV_DEFAULTS, EcosystemSchema, MAX_KEY_CHARS, MAX_SCOPE_CHARS, OPERATIONS_DEFAULTS, OperationsSchema, ScopeProfileSchema, ServerManifestSchema, type Ecosystem, type Operations, type ServerManifest } from "./schemas.ts";
export { BackendNameSchema, GatewayConfigSchema, GatewayRulesSchema, RuleSchema, ToolPatternSchema, type GatewayBackend, type GatewayConfig, type GatewayRule, type GatewayRules } from "./gateway-schema.ts";
export { BACKEND_ENTRYPOINT, defaultBinding, GATEWAY_RULES_BINDING, GATEWAY_RULES_KEY, gatewayProblems, gatewayServiceBindings, workerName, type GatewayProblem, type GatewayServiceBinding } from "./gateway-fleet.ts";
