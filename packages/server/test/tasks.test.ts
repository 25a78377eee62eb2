/**
 * The MCP tasks extension (io.modelcontextprotocol/tasks, SEP-2663) on a 2026-07-28 request:
 * tools registered with `task` answer with a task handle, run on in the task's Durable Object,
 * and are polled, fed and cancelled by the caller who created them — nobody else.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { SERVER_DEFAULTS } from "../src/index.ts";
import { describe, expect, it } from "vitest";
import { connect, type Target } from "./helpers/mcp.ts";
import { modernPost } from "./helpers/modern.ts";
import { token } from "./helpers/tokens.ts";
import { limitedWorker, taskEvents } from "./fixtures/test-worker.ts";

const TASKS = { extensions: { "io.modelcontextprotocol/tasks": {} } };
const target: Target = "stateful";
type Json = Record<string, any>;
/** An empty ack: `resultType: "complete"` and nothing of a task (the SDK stamps `_meta.serverInfo` on every result). */
function expectEmptyAck(result: Json): void {
  expect(Object.keys(result).filter((key) => key !== "_meta")).toEqual(["resultType"]);
  expect(result.resultType).toBe("complete");
}

/** The JSON-RPC answer of a response, JSON or the last message of an SSE stream. */
async function answerOf(res: Response): Promise<Json> {
  const text = await res.text();
  if (!(res.headers.get("content-type") ?? "").startsWith("text/event-stream")) return JSON.parse(text) as Json;
  return JSON.parse(text.split("\n").filter((line) => line.startsWith("data:") && line.length > 5).at(-1)!.slice(5)) as Json;
}

async function call(bearer: string, name: string, args: Json = {}, capabilities: Json = TASKS, extra: Json = {}): Promise<{ status: number; body: Json }> {
  const res = await modernPost(target, "tools/call", { name, arguments: args, ...extra }, { authorization: `Bearer ${bearer}` }, 7, capabilities);
  return { status: res.status, body: await answerOf(res) };
}

async function taskMethod(bearer: string, method: string, taskId: string, extra: Json = {}, capabilities: Json = TASKS): Promise<{ status: number; body: Json }> {
  const res = await modernPost(target, method, { taskId, ...extra }, { authorization: `Bearer ${bearer}`, "mcp-name": taskId }, 8, capabilities);
  return { status: res.status, body: await answerOf(res) };
}

/** Polls tasks/get until `done` holds (or 5 s pass). */
async function pollUntil(bearer: string, taskId: string, done: (task: Json) => boolean): Promise<Json> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const { body } = await taskMethod(bearer, "tasks/get", taskId);
    if (body.result !== undefined && done(body.result)) return body.result;
    if (Date.now() > deadline) throw new Error(`task did not get there: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the tasks extension (SEP-2663) on 2026-07-28 requests", () => {
  it("answers a task tool with a flat CreateTaskResult that is durable at once, then inlines the result on tasks/get", async () => {
    const alice = await token({ sub: "auth0|task-alice" });
    const { body } = await call(alice, "long_job", { steps: 2, stepMs: 10 });
    const handle = body.result;
    expect(handle).toMatchObject({ resultType: "task", status: "working", ttlMs: 3_600_000, pollIntervalMs: 1_000 });
    expect(handle.taskId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(handle.createdAt)).not.toBeNaN();
    for (const key of ["task", "result", "error", "inputRequests", "requestState", "content"]) expect(handle).not.toHaveProperty(key);
    // Strong consistency: a tasks/get straight after the handle finds it.
    expect((await taskMethod(alice, "tasks/get", handle.taskId)).body.result).toMatchObject({ taskId: handle.taskId, resultType: "complete" });
    const done = await pollUntil(alice, handle.taskId, (t) => t.status === "completed");
    expect(done.result).toEqual({ content: [{ type: "text", text: `finished 2 steps as auth0|task-alice in task ${handle.taskId}` }] });
    expect(done).not.toHaveProperty("error");
  });

  it("runs a task tool as a plain call for a request without the extension, and refuses a task-only tool with -32021 naming it (SEP-2575)", async () => {
    const alice = await token({ sub: "auth0|task-alice" });
    const plain = await call(alice, "long_job", { steps: 1, stepMs: 0 }, {});
    expect(plain.body.result).toMatchObject({ resultType: "complete", content: [{ text: "finished 1 steps as auth0|task-alice in task none" }] });
    const refused = await call(alice, "task_only", {}, {});
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ id: 7, error: { code: -32021, data: { requiredCapabilities: { extensions: { "io.modelcontextprotocol/tasks": {} } } } } });
    // …and the task methods themselves, without the extension.
    const { body } = await call(alice, "task_only");
    for (const method of ["tasks/get", "tasks/update", "tasks/cancel"]) {
      const gated = await taskMethod(alice, method, body.result.taskId, method === "tasks/update" ? { inputResponses: {} } : {}, {});
      expect(gated.status).toBe(400);
      expect(gated.body.error.code).toBe(-32021);
    }
  });

  it("treats another user's (or another client's) task id exactly like an unknown id, and their calls leave it running", async () => {
    const alice = await token({ sub: "auth0|task-alice", client: "client-a" });
    const { body } = await call(alice, "long_job", { steps: 3, stepMs: 100 });
    const taskId: string = body.result.taskId;
    const unknown = await taskMethod(alice, "tasks/get", "A".repeat(43));
    expect(unknown.body.error.code).toBe(-32602);
    for (const intruder of [await token({ sub: "auth0|task-mallory", client: "client-a" }), await token({ sub: "auth0|task-alice", client: "client-b" })]) {
      for (const method of ["tasks/get", "tasks/update", "tasks/cancel"]) {
        const answer = await taskMethod(intruder, method, taskId, method === "tasks/update" ? { inputResponses: { x: { action: "accept", content: {} } } } : {});
        expect(answer.body.error).toEqual({ ...unknown.body.error });
      }
    }
    expect((await pollUntil(alice, taskId, (t) => t.status !== "working")).status).toBe("completed");
  });

  it("tasks/cancel aborts the running tool and settles the task as cancelled; a second cancel is the same empty ack", async () => {
    const alice = await token({ sub: "auth0|task-alice" });
    const before = taskEvents.cancelled;
    const { body } = await call(alice, "long_job", { steps: 50, stepMs: 200 });
    const taskId: string = body.result.taskId;
    const ack = await taskMethod(alice, "tasks/cancel", taskId);
    expectEmptyAck(ack.body.result);
    expect((await taskMethod(alice, "tasks/get", taskId)).body.result).toMatchObject({ status: "cancelled" });
    expectEmptyAck((await taskMethod(alice, "tasks/cancel", taskId)).body.result);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(taskEvents.cancelled).toBe(before + 1); // the handler's signal aborted: the work stopped
    expect((await taskMethod(alice, "tasks/get", taskId)).body.result.status).toBe("cancelled"); // and stays so
  });

  it("parks a task that needs input as input_required; partial answers keep it waiting with only the open requests, the last one resumes it", async () => {
    const alice = await token({ sub: "auth0|task-alice" });
    const { body } = await call(alice, "task_confirm", {}, { ...TASKS, elicitation: { form: {} } });
    const taskId: string = body.result.taskId;
    const waiting = await pollUntil(alice, taskId, (t) => t.status === "input_required");
    expect(Object.keys(waiting.inputRequests).sort()).toEqual(["color", "size"]);
    expect(waiting.inputRequests.color).toMatchObject({ method: "elicitation/create" });
    expect(waiting).not.toHaveProperty("requestState");
    const partial = await taskMethod(alice, "tasks/update", taskId, { inputResponses: { color: { action: "accept", content: { value: "teal" } } } }, { ...TASKS, elicitation: { form: {} } });
    expectEmptyAck(partial.body.result);
    const still = (await taskMethod(alice, "tasks/get", taskId)).body.result;
    expect(still.status).toBe("input_required");
    expect(Object.keys(still.inputRequests)).toEqual(["size"]);
    await taskMethod(alice, "tasks/update", taskId, { inputResponses: { size: { action: "accept", content: { value: "large" } } } }, { ...TASKS, elicitation: { form: {} } });
    const done = await pollUntil(alice, taskId, (t) => t.status === "completed");
    expect(done.result.content).toEqual([{ type: "text", text: "teal large" }]);
  });

  it("fails a task whose handler throws with a JSON-RPC error and no result (nothing of the exception leaks), and completes one that returns a tool error", async () => {
    const alice = await token({ sub: "auth0|task-alice" });
    const crashed = await pollUntil(alice, (await call(alice, "explodes")).body.result.taskId, (t) => t.status !== "working");
    expect(crashed).toMatchObject({ status: "failed", error: { code: -32603 } });
    expect(crashed).not.toHaveProperty("result");
    expect(JSON.stringify(crashed)).not.toContain("secret internal detail");
    const polite = await pollUntil(alice, (await call(alice, "fails_politely")).body.result.taskId, (t) => t.status !== "working");
    expect(polite).toMatchObject({ status: "completed", result: { isError: true, content: [{ text: "no such thing" }] } });
  });

  it("shows the tool's progress as the task's statusMessage while it works", async () => {
    const alice = await token({ sub: "auth0|task-alice" });
    const taskId: string = (await call(alice, "long_job", { steps: 3, stepMs: 300 })).body.result.taskId;
    const working = await pollUntil(alice, taskId, (t) => typeof t.statusMessage === "string");
    expect(working.statusMessage).toMatch(/^step: [123]\/3$/);
    await taskMethod(alice, "tasks/cancel", taskId);
  });

  it("rejects a task method whose Mcp-Name header does not name the task (-32020, SEP-2663 routing headers)", async () => {
    const alice = await token({ sub: "auth0|task-alice" });
    const taskId: string = (await call(alice, "task_only")).body.result.taskId;
    const res = await modernPost(target, "tasks/get", { taskId }, { authorization: `Bearer ${alice}`, "mcp-name": "another-task" }, 9, TASKS);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ id: 9, error: { code: -32020 } });
  });

  it("keeps a 2025 session's call to the same tool a plain call with progress notifications", async () => {
    const { client } = await connect(target, { token: await token({ sub: "auth0|task-alice" }) });
    const progress: number[] = [];
    const result = await client.callTool({ name: "long_job", arguments: { steps: 2, stepMs: 0 } }, undefined, { onprogress: (p) => progress.push(p.progress) });
    expect(result.content).toEqual([{ type: "text", text: "finished 2 steps as auth0|task-alice in task none" }]);
    expect(progress).toEqual([1, 2]);
    await client.close();
  });
});

describe("a task's object", () => {
  it("deletes the task when its retention (ttlMs) ends, and says a lost round was interrupted", async () => {
    const alice = await token({ sub: "auth0|task-alice" });
    const taskId: string = (await call(alice, "long_job", { steps: 1, stepMs: 0 })).body.result.taskId;
    await pollUntil(alice, taskId, (t) => t.status === "completed");
    const ns = (env as unknown as { MCP_SESSION: DurableObjectNamespace }).MCP_SESSION;
    const stub = ns.get(ns.idFromName(`task:${taskId}`));
    const { TaskRunner } = await import("../src/tasks/task-runner.ts");
    await runInDurableObject(stub, async (_instance, state) => {
      const stored = (await state.storage.get<Json>("task"))!;
      expect(await state.storage.getAlarm()).toBe(stored.createdAt + stored.ttlMs);
      // A runner that has no round running (the object restarted) finds a "working" task lost.
      await state.storage.put("task", { ...stored, status: "working" });
      const restarted = new TaskRunner(state.storage, () => Promise.reject(new Error("not called")), () => stored.createdAt + 1_000);
      const caller = { subject: "auth0|task-alice", clientId: stored.binding.clientId, scopes: [] };
      expect(await restarted.get(caller)).toMatchObject({ status: "failed", error: { code: -32603 } });
      // Before ttlMs the alarm keeps it; at ttlMs everything goes.
      expect(await restarted.expire()).toBe(true);
      expect(await state.storage.get("task")).toBeDefined();
      const later = new TaskRunner(state.storage, () => Promise.reject(new Error("not called")), () => stored.createdAt + stored.ttlMs);
      expect(await later.expire()).toBe(true);
      expect(await state.storage.get("task")).toBeUndefined();
      expect(await state.storage.getAlarm()).toBeNull();
    });
    expect((await taskMethod(alice, "tasks/get", taskId)).body.error.code).toBe(-32602);
  });

  it("caps a subject's unfinished tasks (20): the next one is refused 429 with Retry-After and the request's id; a task ending frees its place; other subjects are not affected", async () => {
    const limit = SERVER_DEFAULTS.maxLiveTasksPerSubject;
    const hoarder = await token({ sub: "auth0|task-hoarder" });
    const ids: string[] = [];
    for (let i = 0; i < limit; i++) {
      const { body } = await call(hoarder, "long_job", { steps: 100, stepMs: 5_000 });
      expect(body.result?.resultType).toBe("task");
      ids.push(body.result.taskId);
    }
    const refused = await modernPost(target, "tools/call", { name: "long_job", arguments: { steps: 100, stepMs: 5_000 } }, { authorization: `Bearer ${hoarder}` }, 41, TASKS);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ id: 41, error: { code: -32000, data: { code: "too_many_tasks" } } });
    // Another user still gets tasks.
    expect((await call(await token({ sub: "auth0|task-other" }), "long_job", { steps: 1, stepMs: 0 })).body.result?.resultType).toBe("task");
    // Cancelling one frees its place.
    expectEmptyAck((await taskMethod(hoarder, "tasks/cancel", ids[0]!)).body.result);
    expect((await call(hoarder, "long_job", { steps: 100, stepMs: 5_000 })).body.result?.resultType).toBe("task");
    for (const id of ids.slice(1)) await taskMethod(hoarder, "tasks/cancel", id);
  });

  it("frees a finished task's place: a subject at the cap whose tasks complete may create more", async () => {
    const busy = await token({ sub: "auth0|task-busy" });
    for (let i = 0; i < SERVER_DEFAULTS.maxLiveTasksPerSubject; i++) {
      const { body } = await call(busy, "long_job", { steps: 1, stepMs: 0 });
      await pollUntil(busy, body.result.taskId, (t) => t.status === "completed");
    }
    expect((await call(busy, "long_job", { steps: 1, stepMs: 0 })).body.result?.resultType).toBe("task");
  });

  it("counts a task's creation against the write budget (a task is kept for an hour): a server allowing one write a minute gives one task", async () => {
    const writer = await token({ sub: "auth0|task-writer" });
    const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": TASKS, "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" } };
    const create = (id: number) =>
      limitedWorker.fetch(new Request("https://test-mcp.example.test/mcp", {
        method: "POST",
        headers: { authorization: `Bearer ${writer}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "long_job" },
        body: JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "long_job", arguments: { steps: 1, stepMs: 0 }, _meta: meta } }),
      }), env as never);
    const first = await create(51);
    expect(first.status).toBe(200);
    expect((await answerOf(first)).result?.resultType).toBe("task");
    const second = await create(52);
    expect(second.status).toBe(429);
    expect(await second.json()).toMatchObject({ id: 52, error: { data: { code: "rate_limited" } } });
  });
});
