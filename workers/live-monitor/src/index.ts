import { createMcpWorker } from "@edge-mcp/server";
import { z } from "zod";
import manifest from "../mcp.json" with { type: "json" };
import { runnerFor, type Task, type TasksEnv } from "./task-runner.ts";

/** Longest a `retrieve_result` call waits for a running task, in milliseconds. */
const MAX_WAIT_MS = 30_000;
const describeTask = (t: Task) => `${t.name} [${t.id}]: ${t.status}, ${t.progress}/${t.total}${t.result ? ` — ${t.result}` : ""}`;
const notFound = (id: string) => ({ isError: true, content: [{ type: "text" as const, text: `No task ${id}.` }] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * live-monitor-mcp: long-running tasks owned by the user. Work is done by the user's
 * TaskRunner Durable Object in alarm ticks, so tasks keep running between requests and
 * across sessions. `retrieve_result` can wait for a task, streaming progress notifications.
 */
const worker = createMcpWorker<TasksEnv>({
  name: "live-monitor",
  version: "1.0.0",
  transport: "stateful",
  // Per user: 300 requests and 30 writes (tasks started or stopped, MCP tasks created) a minute (mcp.json).
  rateLimit: manifest.rateLimit,
  // Its tool list is the same for every caller: clients and the gateway may cache it for a minute.
  cacheHints: { "tools/list": { ttlMs: 60_000, cacheScope: "public" } },
  setup(mcp, { env }) {
    mcp.tool(
      "start_task",
      {
        description: "Start a long-running task of `steps` steps, one every `stepMs` milliseconds. Returns its id at once.",
        inputSchema: { name: z.string().min(1).max(100), steps: z.number().int().min(1).max(1000), stepMs: z.number().int().min(20).max(60_000).default(1000) },
        scopes: ["tools.write"],
      },
      async ({ name, steps, stepMs }, extra) => {
        try {
          const task = await runnerFor(env, extra.auth.subject).start(name, steps, stepMs);
          return { content: [{ type: "text", text: `Started ${describeTask(task)}` }], structuredContent: { task } };
        } catch (error) {
          return { isError: true, content: [{ type: "text", text: error instanceof Error ? error.message : "Could not start the task." }] };
        }
      },
    );
    mcp.tool(
      "check_progress",
      { description: "Progress of one of your tasks.", inputSchema: { id: z.string().uuid() }, annotations: { readOnlyHint: true } },
      async ({ id }, extra) => {
        const task = await runnerFor(env, extra.auth.subject).get(id);
        return task === undefined ? notFound(id) : { content: [{ type: "text", text: describeTask(task) }], structuredContent: { task } };
      },
    );
    mcp.tool(
      "retrieve_result",
      {
        description:
          "The result of a task. With `wait`, waits for a running task: up to 30 s with progress notifications; a client that declares the MCP tasks extension gets a task handle instead, and the wait lasts until the task ends (progress in the handle's statusMessage; tasks/cancel stops waiting, not the task).",
        inputSchema: { id: z.string().uuid(), wait: z.boolean().default(false) },
        annotations: { readOnlyHint: true },
        // 2026-07-28 clients with io.modelcontextprotocol/tasks poll for the result instead of holding a stream open.
        task: "optional",
      },
      async ({ id, wait }, extra) => {
        const runner = runnerFor(env, extra.auth.subject);
        // As an MCP task nothing holds a stream open: wait until the work ends (the task's ttlMs bounds it).
        const deadline = extra.task.id === undefined ? Date.now() + MAX_WAIT_MS : Number.POSITIVE_INFINITY;
        let task = await runner.get(id);
        let reported = -1;
        while (task !== undefined && wait && task.status === "running" && Date.now() < deadline && !extra.signal.aborted) {
          const token = extra._meta?.progressToken ?? extra.task.id;
          if (token !== undefined && task.progress !== reported) {
            reported = task.progress;
            await extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: task.progress, total: task.total, message: task.name } });
          }
          await sleep(Math.min(task.stepMs, 1000));
          task = await runner.get(id);
        }
        if (task === undefined) return notFound(id);
        if (task.status !== "completed") return { isError: true, content: [{ type: "text", text: `Not finished: ${describeTask(task)}` }], structuredContent: { task } };
        return { content: [{ type: "text", text: task.result ?? "" }], structuredContent: { task } };
      },
    );
    mcp.tool(
      "stop_task",
      { description: "Stop one of your running tasks.", inputSchema: { id: z.string().uuid() }, annotations: { destructiveHint: true, idempotentHint: true }, scopes: ["tools.write"] },
      async ({ id }, extra) => {
        const task = await runnerFor(env, extra.auth.subject).stop(id);
        return task === undefined ? notFound(id) : { content: [{ type: "text", text: describeTask(task) }], structuredContent: { task } };
      },
    );
    mcp.tool("list_tasks", { description: "All your tasks, newest first.", annotations: { readOnlyHint: true } }, async (extra) => {
      const tasks = await runnerFor(env, extra.auth.subject).list();
      return { content: [{ type: "text", text: tasks.length === 0 ? "No tasks." : tasks.map(describeTask).join("\n") }], structuredContent: { tasks } };
    });
  },
});

export default { fetch: worker.fetch };
/** The RPC entrypoint an edge-mcp gateway calls through a service binding (not reachable from the internet). */
export const McpBackend = worker.McpBackend;
export const McpSession = worker.McpSession;
export { TaskRunner } from "./task-runner.ts";
export { McpEventBus, RateLimitCounter } from "@edge-mcp/server";
