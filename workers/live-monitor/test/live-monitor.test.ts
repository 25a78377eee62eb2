import { runDurableObjectAlarm } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { connectMcp, createTokenFactory } from "@edge-mcp/testing";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";

const RESOURCE = "https://live-monitor-mcp.example.test/mcp";
const token = createTokenFactory(inject("privateJwk"), { issuer: "https://tenant.example-auth.test/", audience: RESOURCE });
const as = async (sub: string, scopes = ["tools.read", "tools.write"]) =>
  (await connectMcp({ url: RESOURCE, fetch: (r) => exports.default.fetch(r), holder: { token: await token({ sub, scopes }) } })).client;
type TaskView = { id: string; status: string; progress: number; total: number; result: string | null };
const taskOf = (r: unknown) => (r as { structuredContent: { task: TaskView } }).structuredContent.task;

describe("live-monitor-mcp", () => {
  it("runs a task in alarm ticks and streams progress while retrieve_result waits", async () => {
    const client = await as("auth0|runner");
    const started = taskOf(await client.callTool({ name: "start_task", arguments: { name: "crunch", steps: 4, stepMs: 40 } }));
    expect(started).toMatchObject({ status: "running", progress: 0, total: 4 });
    const progress: number[] = [];
    const done = await client.callTool({ name: "retrieve_result", arguments: { id: started.id, wait: true } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
      timeout: 20_000,
    });
    expect(taskOf(done)).toMatchObject({ status: "completed", progress: 4, result: 'Task "crunch" finished 4 steps.' });
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.every((p) => p >= 0 && p < 4)).toBe(true);
    await client.close();
  });

  it("keeps tasks across sessions and advances exactly one step per alarm tick", async () => {
    const first = await as("auth0|ticker");
    const started = taskOf(await first.callTool({ name: "start_task", arguments: { name: "slow", steps: 3, stepMs: 60_000 } }));
    await first.close();
    const runner = env.TASKS.get(env.TASKS.idFromName("auth0|ticker"));
    // Make the step due now, then run the alarm by hand: progress 0 → 1.
    await runner.get(started.id);
    const { runInDurableObject } = await import("cloudflare:test");
    await runInDurableObject(runner, (_i, state) => state.storage.sql.exec("UPDATE tasks SET next_at = 0"));
    expect(await runDurableObjectAlarm(runner)).toBe(true);
    const second = await as("auth0|ticker");
    expect(taskOf(await second.callTool({ name: "check_progress", arguments: { id: started.id } }))).toMatchObject({ progress: 1, status: "running" });
    const listed = await second.callTool({ name: "list_tasks", arguments: {} });
    expect((listed.structuredContent as { tasks: TaskView[] }).tasks.map((t) => t.id)).toContain(started.id);
    expect(taskOf(await second.callTool({ name: "stop_task", arguments: { id: started.id } }))).toMatchObject({ status: "stopped" });
    const notDone = await second.callTool({ name: "retrieve_result", arguments: { id: started.id } });
    expect(notDone.isError).toBe(true);
    await second.close();
  });

  it("never lets one user see, stop or read another user's task", async () => {
    const alice = await as("auth0|alice-tasks");
    const bob = await as("auth0|bob-tasks");
    const task = taskOf(await alice.callTool({ name: "start_task", arguments: { name: "private", steps: 2, stepMs: 60_000 } }));
    for (const name of ["check_progress", "retrieve_result", "stop_task"]) {
      const res = await bob.callTool({ name, arguments: { id: task.id } });
      expect(res.isError).toBe(true);
    }
    expect((await bob.callTool({ name: "list_tasks", arguments: {} })).structuredContent).toEqual({ tasks: [] });
    expect(taskOf(await alice.callTool({ name: "check_progress", arguments: { id: task.id } })).status).toBe("running");
    await alice.close();
    await bob.close();
  });

  it("refuses start_task to a readonly token (tools.write)", async () => {
    const reader = await as("auth0|reader-tasks", ["tools.read"]);
    await expect(reader.callTool({ name: "start_task", arguments: { name: "x", steps: 1 } })).rejects.toThrow(/403|insufficient_scope|tools\.write/i);
    await reader.close();
  });

  it("waits for a job as an MCP task for a 2026-07-28 client that declares io.modelcontextprotocol/tasks: a handle at once, progress as statusMessage, the result on tasks/get", async () => {
    const bearer = await token({ sub: "auth0|modern-tasks", scopes: ["tools.read", "tools.write"] });
    const post = async (method: string, params: Record<string, unknown>, name: string) => {
      const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientInfo": { name: "t", version: "1" }, "io.modelcontextprotocol/clientCapabilities": { extensions: { "io.modelcontextprotocol/tasks": {} } } };
      const res = await exports.default.fetch(new Request(RESOURCE, {
        method: "POST",
        headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": method, "mcp-name": name },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: { ...params, _meta: meta } }),
      }));
      const text = await res.text();
      const json = res.headers.get("content-type")?.startsWith("text/event-stream") ? text.split("\n").filter((l) => l.startsWith("data:")).at(-1)!.slice(5) : text;
      return (JSON.parse(json) as { result: Record<string, any> }).result;
    };
    const job = (await post("tools/call", { name: "start_task", arguments: { name: "modern", steps: 3, stepMs: 100 } }, "start_task")).structuredContent.task as TaskView;
    const handle = await post("tools/call", { name: "retrieve_result", arguments: { id: job.id, wait: true } }, "retrieve_result");
    expect(handle).toMatchObject({ resultType: "task", status: "working" });
    const statuses: string[] = [];
    let view: Record<string, any> = {};
    for (let i = 0; i < 100 && view.status !== "completed"; i++) {
      view = await post("tasks/get", { taskId: handle.taskId }, handle.taskId);
      if (typeof view.statusMessage === "string") statuses.push(view.statusMessage);
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(view.status).toBe("completed");
    expect(view.result.structuredContent.task).toMatchObject({ id: job.id, status: "completed", result: 'Task "modern" finished 3 steps.' });
    expect(statuses.length).toBeGreaterThan(0); // polled every 30 ms through a 300 ms job
    expect(statuses.every((m) => /^modern: \d\/3$/.test(m))).toBe(true);
  });

  it("rate-limits each user: its mcp.json budget (30 writes a minute) refuses the 31st start_task with 429", async () => {
    const manifest = (await import("../mcp.json")).default as { rateLimit: { writes: number } };
    expect(manifest.rateLimit.writes).toBe(30);
    const bearer = await token({ sub: "auth0|rate-limited", scopes: ["tools.read", "tools.write"] });
    const statuses: number[] = [];
    for (let i = 0; i <= manifest.rateLimit.writes; i++) {
      const res = await exports.default.fetch(new Request(RESOURCE, {
        method: "POST",
        headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "stop_task" },
        body: JSON.stringify({ jsonrpc: "2.0", id: i, method: "tools/call", params: { name: "stop_task", arguments: { id: crypto.randomUUID() }, _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } }),
      }));
      statuses.push(res.status);
      await res.body?.cancel();
    }
    expect(statuses.slice(0, -1).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});
