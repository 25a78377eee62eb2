import { CLIENT_CAPABILITIES_META_KEY, type InputRequests } from "@modelcontextprotocol/server";

/**
 * The MCP Tasks extension (SEP-2663, `io.modelcontextprotocol/tasks`, for 2026-07-28): a
 * `tools/call` may be answered with a task handle (`resultType: "task"`) that the client polls
 * with `tasks/get`, feeds input with `tasks/update` and stops with `tasks/cancel`. The server
 * decides per call; the client opts in per request by naming the extension in
 * `_meta["io.modelcontextprotocol/clientCapabilities"].extensions`.
 */
export const TASKS_EXTENSION = "io.modelcontextprotocol/tasks";

/** What a client that did not declare the extension is told it lacks (-32021 data, SEP-2575). */
export const TASKS_REQUIRED_CAPABILITIES = Object.freeze({ extensions: Object.freeze({ [TASKS_EXTENSION]: Object.freeze({}) }) });

/**
 * How a tool takes part: `"optional"` — a task for clients that declared the extension, a plain
 * result for the others; `"required"` — a task, and -32021 for clients without the extension.
 * `handle`: when the client gets its task handle — `"immediately"` (default: before the handler
 * runs) or `"on-start"`: when the handler calls `extra.task.start()`, so it can gather input by
 * multi round-trip first (SEP-2663 MRTR → task composition); a handler that returns before
 * starting answers the call directly.
 */
export type TaskSupport = "optional" | "required" | { readonly support: "optional" | "required"; readonly handle?: "immediately" | "on-start" };

export interface TaskPolicy {
  readonly support: "optional" | "required";
  readonly handle: "immediately" | "on-start";
}

export function taskPolicyOf(support: TaskSupport): TaskPolicy {
  return typeof support === "string" ? { support, handle: "immediately" } : { support: support.support, handle: support.handle ?? "immediately" };
}

/** Whether a request's `_meta` declares the tasks extension (per request: 2026-07-28 has no session). */
export function declaresTasks(meta: unknown): boolean {
  if (typeof meta !== "object" || meta === null) return false;
  const capabilities = (meta as Record<string, unknown>)[CLIENT_CAPABILITIES_META_KEY] as { extensions?: unknown } | undefined;
  const extensions = capabilities?.extensions;
  return typeof extensions === "object" && extensions !== null && TASKS_EXTENSION in extensions;
}

export type TaskStatus = "working" | "input_required" | "completed" | "failed" | "cancelled";

export function isTerminal(status: TaskStatus): boolean {
  return status === "completed" || status === "failed" || status === "cancelled";
}

/** A JSON-RPC error object, as a failed task carries it. */
export interface TaskError {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/** What the wire shows of a task (SEP-2663 `Task` / `DetailedTask`): never the caller, the request or any MRTR state. */
export interface TaskView {
  readonly taskId: string;
  readonly status: TaskStatus;
  readonly statusMessage?: string;
  readonly createdAt: string;
  readonly lastUpdatedAt: string;
  readonly ttlMs: number;
  readonly pollIntervalMs: number;
  /** input_required: the requests still unanswered, keyed by server-minted ids. */
  readonly inputRequests?: InputRequests;
  /** completed: the tool's result as a plain `tools/call` would have returned it. */
  readonly result?: Record<string, unknown>;
  /** failed: the protocol error that ended it. */
  readonly error?: TaskError;
}

/** `tools/call` → the flat `CreateTaskResult` (Result & Task): handle fields only, no result, error or inputs. */
export function createTaskResult(view: TaskView): Record<string, unknown> {
  const { taskId, status, statusMessage, createdAt, lastUpdatedAt, ttlMs, pollIntervalMs } = view;
  return { resultType: "task", taskId, status, ...(statusMessage === undefined ? {} : { statusMessage }), createdAt, lastUpdatedAt, ttlMs, pollIntervalMs };
}
