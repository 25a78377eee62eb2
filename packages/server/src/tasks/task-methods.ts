import { MissingRequiredClientCapabilityError, ProtocolError, ProtocolErrorCode, type McpServer, type ServerContext } from "@modelcontextprotocol/server";
import { z } from "zod";
import { callerOf } from "../base/caller.ts";
import { taskObject, type TaskObjectRpc } from "./task-calls.ts";
import { declaresTasks, TASKS_REQUIRED_CAPABILITIES } from "./task-extension.ts";

// The SDK validates the envelope (`_meta`), the Mcp-Method header and Mcp-Name = params.taskId
// (SEP-2663 routing headers) before these run, and lifts the envelope and `inputResponses` out of
// the params into `ctx.mcpReq` (`envelope`, `inputResponses`: bare response objects, unvalidated).
const TaskParams = z.looseObject({ taskId: z.string().min(1).max(256) });

/**
 * `tasks/get`, `tasks/update` and `tasks/cancel` (SEP-2663) on a 2026-07-28 server, for the
 * caller of the request: a task that is someone else's is as unknown as one that never existed
 * (-32602, no existence leak). A request that did not declare the extension gets -32021 naming
 * it. The answers carry `resultType: "complete"` (the SDK stamps it); update and cancel are empty
 * acks — the state shows on the next `tasks/get`.
 */
export function registerTaskMethods(server: McpServer, namespace: DurableObjectNamespace): void {
  const owned = (taskId: string, ctx: ServerContext): { rpc: TaskObjectRpc; caller: ReturnType<typeof callerOf> } => {
    if (!declaresTasks(ctx.mcpReq.envelope)) throw new MissingRequiredClientCapabilityError({ requiredCapabilities: TASKS_REQUIRED_CAPABILITIES });
    const rpc = taskObject(namespace, taskId);
    if (rpc === undefined) throw unknownTask();
    return { rpc, caller: callerOf(ctx) };
  };
  const low = server.server;
  low.setRequestHandler("tasks/get", { params: TaskParams }, async (params, ctx) => {
    const { rpc, caller } = owned(params.taskId, ctx);
    const view = await rpc.getTask(caller);
    if (view === undefined) throw unknownTask();
    return { ...view };
  });
  low.setRequestHandler("tasks/update", { params: TaskParams }, async (params, ctx) => {
    const { rpc, caller } = owned(params.taskId, ctx);
    if (!(await rpc.updateTask(caller, ctx.mcpReq.inputResponses ?? {}))) throw unknownTask();
    return {};
  });
  low.setRequestHandler("tasks/cancel", { params: TaskParams }, async (params, ctx) => {
    const { rpc, caller } = owned(params.taskId, ctx);
    if (!(await rpc.cancelTask(caller))) throw unknownTask();
    return {};
  });
}

function unknownTask(): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, "No such task (it never existed, has expired, or is not yours).");
}
