// The whole public surface of @edge-mcp/server. Re-exports only.
export type { ListChangeNotifier, SetupContext, SetupFn } from "./mcp/build-server.ts";
export { AUTH_DISABLED_CALLER, callerOf, type CallerIdentity } from "./base/caller.ts";
export type { ServerConfig } from "./base/config.ts";
export { createMcpWorker, type McpWorker, type McpWorkerOptions } from "./worker/create-mcp-worker.ts";
export { SERVER_DEFAULTS, SESSION_BINDING } from "./base/defaults.ts";
export { BACKEND_CALLER_HEADER, backendCallerHeader, type McpBackendRpc } from "./worker/backend-entrypoint.ts";
export type { InterceptedRequest, InterceptFn } from "./modern/intercept.ts";
export { readEventEnvelopes, type EventEnvelope, type EventSource, type Subscriber } from "./events/event-sources.ts";
export { TOOL_SCOPES_META_KEY, type EdgeMcpServer, type EdgeRequestExtra, type EdgeToolCallback, type EdgeToolConfig } from "./mcp/edge-mcp-server.ts";
export { RateLimitedError, ServerError, isServerFailure, type ServerErrorCode, type ServerFailure } from "./base/errors.ts";
export type { HealthReport } from "./http/health.ts";
export { DEFAULT_TOOL_SCOPES } from "./policy/method-scopes.ts";
export { consoleAuditSink, memoryAuditSink, type AuditEvent, type AuditOutcome, type BackendStatusAudit, type AuditSink, type McpRequestAudit, type ToolCallAudit } from "./policy/audit.ts";
export type { SessionStorage } from "./mcp/session-storage.ts";
export { TASKS_EXTENSION, type TaskSupport } from "./tasks/task-extension.ts";
export { EVENT_BUS_BINDING, McpEventBus } from "./events/event-bus.ts";
export { enforceBudget, RATE_LIMIT_BINDINGS, RateLimitCounter, type RateLimitConfig } from "./policy/rate-limit.ts";
export { finishAfterAnswer } from "./base/request-context.ts";
