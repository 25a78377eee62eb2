import { SERVER_INFO_META_KEY, type InputRequests } from "@modelcontextprotocol/server";
import type { CallerIdentity } from "../base/caller.ts";
import { SERVER_DEFAULTS } from "../base/defaults.ts";
import { bindingFor, isBoundTo, type SessionBinding } from "../base/session-binding.ts";
import { createTaskResult, isTerminal, type TaskError, type TaskStatus, type TaskView } from "./task-extension.ts";

/** The `tools/call` a task runs: what the client sent, without the MRTR fields each round adds. */
export interface TaskCall {
  readonly name: string;
  readonly arguments?: unknown;
  /** The request's `_meta` (protocol version, the client's capabilities, log level). */
  readonly meta: Readonly<Record<string, unknown>>;
}

/** One round's answer: the `result` or `error` of the JSON-RPC response a plain call would get. */
export type RoundOutcome = { readonly result: Record<string, unknown> } | { readonly error: TaskError };

/** What a round hands the tool (as `extra.task`) and learns from it. */
export interface RoundControl {
  readonly taskId: string;
  readonly signal: AbortSignal;
  /** The handler asked for its task handle now (`handle: "on-start"`); resolves once the task is stored. */
  start(): Promise<void>;
  /** The handler threw: a protocol-level failure (`failed`), not a tool error (`completed` + `isError`). */
  crashed(): void;
  /** The handler reported progress: shown as the task's `statusMessage` while it works. */
  status(message: string): void;
}

/** What a round adds to the call: the MRTR answers gathered so far and the tool's requestState. */
export interface RoundInput {
  readonly inputResponses?: Record<string, unknown>;
  readonly requestState?: string;
}

/** Runs one round of the call (the first, or a retry with the answers gathered) as the caller. */
export type RunRound = (round: TaskCall & RoundInput, caller: CallerIdentity, control: RoundControl) => Promise<RoundOutcome>;

/** A task as its Durable Object stores it. The call and MRTR state never leave the object. */
interface StoredTask {
  readonly taskId: string;
  readonly binding: SessionBinding;
  readonly call: TaskCall;
  readonly createdAt: number;
  readonly ttlMs: number;
  status: TaskStatus;
  lastUpdatedAt: number;
  statusMessage?: string;
  /** input_required: the requests not answered yet; `answered`: those answered so far. */
  pending?: InputRequests;
  answered?: Record<string, unknown>;
  requestState?: string;
  result?: Record<string, unknown>;
  error?: TaskError;
}

/** `start`: a task handle, or — a tool that answered before asking for one — that answer. */
export type StartOutcome = { readonly task: Record<string, unknown> } | { readonly direct: RoundOutcome };

const KEY = "task";
/** Longest `statusMessage` kept from a progress report, in characters. */
const MAX_STATUS_CHARS = 512;
const INTERRUPTED: TaskError = { code: -32603, message: "The task was interrupted (its server restarted); call the tool again." };

/**
 * The result as the task inlines it: without what belongs to the `tools/call` response envelope
 * (`resultType`, cache hints, the SDK's serverInfo stamp — the `tasks/get` response carries its own).
 */
function inlined(result: Record<string, unknown>): Record<string, unknown> {
  const { resultType: _type, ttlMs: _ttl, cacheScope: _scope, _meta, ...rest } = result;
  const { [SERVER_INFO_META_KEY]: _stamp, ...meta } = (_meta ?? {}) as Record<string, unknown>;
  return Object.keys(meta).length === 0 ? rest : { ...rest, _meta: meta };
}

/**
 * The task role of the session Durable Object: one object per task (`task:<id>`), holding its
 * state in storage and its running round in memory. Every method takes the caller and treats
 * another caller's task exactly like an unknown one (SEP-2663: task ids are bearer-like handles;
 * binding them to sub + client keeps a leaked id useless). Storage is deleted at `ttlMs`.
 */
export class TaskRunner {
  readonly #storage: DurableObjectStorage;
  readonly #run: RunRound;
  readonly #now: () => number;
  #live: AbortController | undefined;
  /** The running round's latest progress, shown by tasks/get without a storage write per report. */
  #liveStatus: string | undefined;

  /** Told when a task is finished (completed, failed, cancelled) or gone: its slot in the subject's count is free. */
  readonly #ended: (subject: string, taskId: string) => Promise<void>;

  constructor(storage: DurableObjectStorage, run: RunRound, now: () => number = Date.now, ended: (subject: string, taskId: string) => Promise<void> = async () => undefined) {
    this.#storage = storage;
    this.#run = run;
    this.#now = now;
    this.#ended = ended;
  }

  /** `first`: MRTR answers the creating `tools/call` carried (a tool that gathered input before it started its task). */
  async start(taskId: string, caller: CallerIdentity, call: TaskCall, handle: "immediately" | "on-start", first: RoundInput = {}): Promise<StartOutcome> {
    if ((await this.#storage.get(KEY)) !== undefined) throw new Error("task id collision");
    const now = this.#now();
    const task: StoredTask = { taskId, binding: bindingFor(caller), call, createdAt: now, ttlMs: SERVER_DEFAULTS.taskTtlMs, status: "working", lastUpdatedAt: now };
    // SEP-2663: the handle goes out only once the task is durable (a tasks/get right after resolves).
    const store = async () => {
      await this.#storage.put(KEY, task);
      await this.#storage.setAlarm(task.createdAt + task.ttlMs);
    };
    if (handle === "immediately") {
      this.#live = new AbortController(); // a tasks/get arriving while it is stored sees a running task, not a lost one
      await store();
      this.#round(task, caller, first);
      return { task: createTaskResult(this.#view(task)) };
    }
    let created: () => void = () => undefined;
    const handed = new Promise<"started">((resolve) => (created = () => resolve("started")));
    const round = this.#round(task, caller, first, async () => {
      await store();
      created();
    });
    const answer = await Promise.race([handed, round]);
    return answer === "started" ? { task: createTaskResult(this.#view(task)) } : { direct: answer };
  }

  async get(caller: CallerIdentity): Promise<TaskView | undefined> {
    const task = await this.#owned(caller);
    if (task === undefined) return undefined;
    // Working with no round running here: the object restarted and the round is lost.
    if (task.status === "working" && this.#live === undefined) await this.#settle(task, { error: INTERRUPTED });
    const view = this.#view(task);
    return task.status === "working" && this.#liveStatus !== undefined ? { ...view, statusMessage: this.#liveStatus } : view;
  }

  /** Answers some or all pending input requests; the round runs again once none is left. False: no such task. */
  async update(caller: CallerIdentity, responses: Record<string, unknown>): Promise<boolean> {
    const task = await this.#owned(caller);
    if (task === undefined) return false;
    if (task.status !== "input_required" || task.pending === undefined) return true; // nothing asked: the ack changes nothing
    const pending: InputRequests = { ...task.pending };
    const answered = { ...task.answered };
    for (const [key, value] of Object.entries(responses)) {
      if (!(key in pending)) continue; // not asked, or answered already
      answered[key] = value;
      delete pending[key];
    }
    task.answered = answered;
    task.lastUpdatedAt = this.#now();
    if (Object.keys(pending).length > 0) {
      task.pending = pending;
      await this.#storage.put(KEY, task);
      return true;
    }
    const { requestState } = task;
    task.status = "working";
    delete task.pending;
    delete task.answered;
    delete task.requestState;
    await this.#storage.put(KEY, task);
    this.#round(task, caller, { inputResponses: answered, ...(requestState === undefined ? {} : { requestState }) });
    return true;
  }

  /** Cancels a task that is not finished (a finished one stays as it is: the ack is idempotent). False: no such task. */
  async cancel(caller: CallerIdentity): Promise<boolean> {
    const task = await this.#owned(caller);
    if (task === undefined) return false;
    if (isTerminal(task.status)) return true;
    task.status = "cancelled";
    task.lastUpdatedAt = this.#now();
    delete task.pending;
    delete task.answered;
    delete task.requestState;
    await this.#storage.put(KEY, task);
    this.#live?.abort();
    await this.#ended(task.binding.subject, task.taskId);
    return true;
  }

  /** The alarm: true when this object is a task (then its retention ended and everything is deleted). */
  async expire(): Promise<boolean> {
    const task = await this.#storage.get<StoredTask>(KEY);
    if (task === undefined) return false;
    if (this.#now() < task.createdAt + task.ttlMs) {
      await this.#storage.setAlarm(task.createdAt + task.ttlMs);
      return true;
    }
    this.#live?.abort();
    await this.#storage.deleteAlarm();
    await this.#storage.deleteAll();
    if (!isTerminal(task.status)) await this.#ended(task.binding.subject, task.taskId);
    return true;
  }

  async #owned(caller: CallerIdentity): Promise<StoredTask | undefined> {
    const task = await this.#storage.get<StoredTask>(KEY);
    return task !== undefined && isBoundTo(task.binding, caller) ? task : undefined;
  }

  /** Runs a round in the background; its outcome settles the task (unless cancelled meanwhile). */
  #round(task: StoredTask, caller: CallerIdentity, extra: RoundInput, onStart?: () => Promise<void>): Promise<RoundOutcome> {
    const abort = new AbortController();
    this.#live = abort;
    this.#liveStatus = undefined;
    let crashed = false;
    let started = onStart === undefined;
    const control: RoundControl = {
      taskId: task.taskId,
      signal: abort.signal,
      start: async () => {
        if (started || onStart === undefined) return;
        started = true;
        await onStart();
      },
      crashed: () => void (crashed = true),
      status: (message) => {
        if (this.#live === abort) this.#liveStatus = message.slice(0, MAX_STATUS_CHARS);
      },
    };
    const outcome = this.#run({ ...task.call, ...extra }, caller, control)
      .catch((): RoundOutcome => ({ error: { code: -32603, message: "Internal error" } }))
      .then((answer): RoundOutcome => (crashed ? { error: { code: -32603, message: `Tool ${task.call.name} failed unexpectedly.` } } : answer));
    void outcome.then(async (answer) => {
      if (this.#live === abort) this.#live = undefined;
      if (started) await this.#settle(task, answer);
    });
    return outcome;
  }

  async #settle(task: StoredTask, outcome: RoundOutcome): Promise<void> {
    const current = await this.#storage.get<StoredTask>(KEY);
    if (current === undefined || current.status !== "working") return; // cancelled (or expired) while it ran
    task.lastUpdatedAt = this.#now();
    if ("error" in outcome) {
      task.status = "failed";
      task.error = outcome.error;
    } else if (outcome.result.resultType === "input_required") {
      task.status = "input_required";
      task.pending = (outcome.result.inputRequests ?? {}) as InputRequests;
      task.answered = {};
      if (typeof outcome.result.requestState === "string") task.requestState = outcome.result.requestState;
    } else {
      task.status = "completed";
      task.result = inlined(outcome.result);
    }
    await this.#storage.put(KEY, task);
    if (isTerminal(task.status)) await this.#ended(task.binding.subject, task.taskId);
  }

  #view(task: StoredTask): TaskView {
    return {
      taskId: task.taskId,
      status: task.status,
      ...(task.statusMessage === undefined ? {} : { statusMessage: task.statusMessage }),
      createdAt: new Date(task.createdAt).toISOString(),
      lastUpdatedAt: new Date(task.lastUpdatedAt).toISOString(),
      ttlMs: task.ttlMs,
      pollIntervalMs: SERVER_DEFAULTS.taskPollIntervalMs,
      ...(task.status === "input_required" && task.pending !== undefined ? { inputRequests: task.pending } : {}),
      ...(task.status === "completed" && task.result !== undefined ? { result: task.result } : {}),
      ...(task.status === "failed" && task.error !== undefined ? { error: task.error } : {}),
    };
  }
}
