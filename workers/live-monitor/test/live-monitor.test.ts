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
});
