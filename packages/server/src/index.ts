// The whole public surface of @edge-mcp/server. Re-exports only.
export type { ListChangeNotifier, SetupContext, SetupFn } from "./build-server.ts";
export { AUTH_DISABLED_CALLER, type CallerIdentity } from "./caller.ts";
export type { ServerConfig } from "./config.ts";
export { createMcpWorker, type McpWorker, type McpWorkerOptions } from "./create-mcp-worker.ts";
export { SERVER_DEFAULTS, SESSION_BINDING } from "./defaults.ts";
export { BACKEND_CALLER_HEADER, backendCallerHeader, type McpBackendRpc } from "./backend-entrypoint.ts";
export type { InterceptedRequest, InterceptFn } from "./intercept.ts";
export { readEventEnvelopes, type EventEnvelope, type EventSource, type Subscriber } from "./event-sources.ts";
export { callerOf, TOOL_SCOPES_META_KEY, type EdgeMcpServer, type EdgeRequestExtra, type EdgeToolCallback, type EdgeToolConfig } from "./edge-mcp-server.ts";
export { RateLimitedError, ServerError, isServerFailure, type ServerErrorCode, type ServerFailure } from "./errors.ts";
export type { HealthReport } from "./health.ts";
export { DEFAULT_TOOL_SCOPES } from "./method-scopes.ts";
export { consoleAuditSink, memoryAuditSink, type AuditEvent, type AuditOutcome, type BackendStatusAudit, type AuditSink, type McpRequestAudit, type ToolCallAudit } from "./audit.ts";
export type { SessionStorage } from "./session-storage.ts";
export { TASKS_EXTENSION, type TaskSupport } from "./task-extension.ts";
export { EVENT_BUS_BINDING, McpEventBus } from "./event-bus.ts";
export { enforceBudget, RATE_LIMIT_BINDINGS, RateLimitCounter, type RateLimitConfig } from "./rate-limit.ts";
export { finishAfterAnswer } from "./request-context.ts";
