import { classifyInboundRequest, type JSONRPCRequest } from "@modelcontextprotocol/server";
import type { CallerIdentity } from "../base/caller.ts";
import { SERVER_DEFAULTS, SESSION_BINDING } from "../base/defaults.ts";
import { MisconfiguredError, MissingClientCapabilityError, TooManyTasksError } from "../base/errors.ts";
import { isWellFormedSessionId, newSessionId } from "../base/session-id.ts";
import { sessionNamespaceOf, sessionRpc, taskRegistryName } from "../base/session-registry.ts";
import { declaresTasks, TASKS_EXTENSION, TASKS_REQUIRED_CAPABILITIES, type TaskPolicy, type TaskView } from "./task-extension.ts";
import type { RoundInput, StartOutcome, TaskCall } from "./task-runner.ts";

/** The session Durable Object's task role, over RPC (session-object.ts). */
export interface TaskObjectRpc {
  startTask(taskId: string, caller: CallerIdentity, call: TaskCall, handle: TaskPolicy["handle"], first: RoundInput): Promise<StartOutcome>;
  getTask(caller: CallerIdentity): Promise<TaskView | undefined>;
  updateTask(caller: CallerIdentity, responses: Record<string, unknown>): Promise<boolean>;
  cancelTask(caller: CallerIdentity): Promise<boolean>;
}

/**
 * The object of a task, or undefined for an id that cannot be one of ours (then nothing is
 * instantiated). Task ids have the shape of session ids (256 random bits, base64url); the
 * `task:` prefix keeps the two kinds of object apart in the one namespace.
 */
export function taskObject(namespace: DurableObjectNamespace, taskId: string): TaskObjectRpc | undefined {
  if (!isWellFormedSessionId(taskId)) return undefined;
  return namespace.get(namespace.idFromName(`task:${taskId}`)) as unknown as TaskObjectRpc;
}

/**
 * A 2026-07-28 `tools/call` of a tool registered with `task`, before the SDK sees it. Answers
 * with a task handle (SEP-2663 `CreateTaskResult`) when the client declared the extension; with
 * -32021 naming the extension when the tool requires it and the client did not (SEP-2575
 * "Missing Required Client Capabilities"); otherwise undefined (the call runs as usual). A
 * request the SDK would refuse (headers, envelope) is left to the SDK, so it is refused exactly
 * as any other call.
 */
/** Retry-After when a subject has as many unfinished tasks as allowed, in seconds: a guess at when one ends. */
const TOO_MANY_TASKS_RETRY_AFTER_SECONDS = 30;

/** What creating a task is bounded by: the subject's unfinished tasks, and (with rate limits) a write. */
export interface TaskLimits {
  readonly maxTasksPerSubject: number;
  /** Counts the creation against the caller's write budget (429 when spent); absent without rate limits. */
  readonly chargeCreation?: () => Promise<void>;
}

export async function answerAsTask(request: Request, body: unknown, message: JSONRPCRequest, policy: TaskPolicy, caller: CallerIdentity, env: object, limits: TaskLimits): Promise<Response | undefined> {
  const headers = request.headers;
  const classified = classifyInboundRequest({
    httpMethod: request.method,
    body,
    ...optional("protocolVersionHeader", headers.get("mcp-protocol-version")),
    ...optional("mcpMethodHeader", headers.get("mcp-method")),
    ...optional("mcpNameHeader", headers.get("mcp-name")),
  });
  if (classified.kind !== "modern") return undefined;
  const params = (message.params ?? {}) as Record<string, unknown>;
  const meta = (params._meta ?? {}) as Record<string, unknown>;
  if (!declaresTasks(meta)) {
    if (policy.support === "optional") return undefined;
    throw new MissingClientCapabilityError(`Tool ${String(params.name)} runs only as a task: declare the ${TASKS_EXTENSION} extension in this request's client capabilities.`, TASKS_REQUIRED_CAPABILITIES);
  }
  const namespace = sessionNamespaceOf(env);
  if (namespace === undefined) throw new MisconfiguredError(`Tool ${String(params.name)} runs as a task, which needs the ${SESSION_BINDING} Durable Object binding (a stateful server).`);
  const taskId = newSessionId();
  const call: TaskCall = { name: String(params.name), ...(params.arguments === undefined ? {} : { arguments: params.arguments }), meta };
  // A retry that carries MRTR answers (a tool gathering input before it starts its task) keeps them for its first round.
  const first: RoundInput = {
    ...(typeof params.inputResponses === "object" && params.inputResponses !== null ? { inputResponses: params.inputResponses as Record<string, unknown> } : {}),
    ...(typeof params.requestState === "string" ? { requestState: params.requestState } : {}),
  };
  // A task is a Durable Object kept for ttlMs: its creation costs a write, and a subject may
  // have only so many unfinished (one finishing frees its place: task-runner.ts).
  await limits.chargeCreation?.();
  const registry = sessionRpc(namespace, taskRegistryName(caller.subject));
  if (!(await registry.admitTask(taskId, limits.maxTasksPerSubject, SERVER_DEFAULTS.taskTtlMs))) {
    throw new TooManyTasksError(limits.maxTasksPerSubject, TOO_MANY_TASKS_RETRY_AFTER_SECONDS);
  }
  const outcome = await taskObject(namespace, taskId)!.startTask(taskId, caller, call, policy.handle, first).catch(async (error: unknown) => {
    await registry.releaseTask(taskId);
    throw error;
  });
  // A tool that answered before asking for its handle made no task: its place is free again.
  if (!("task" in outcome)) await registry.releaseTask(taskId);
  const answer = "task" in outcome ? { result: outcome.task } : outcome.direct;
  return Response.json({ jsonrpc: "2.0", id: message.id, ...answer }, { headers: { "cache-control": "no-store" } });
}

function optional<K extends string>(key: K, value: string | null): { [P in K]?: string } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: string };
}
