import { DurableObject } from "cloudflare:workers";
import type { ServerIdentity } from "../mcp/build-server.ts";
import type { CallerIdentity } from "../base/caller.ts";
import { readConfig } from "../base/config.ts";
import { admit, admitEntry, release, releaseEntry, sessionNamespaceOf, sessionRpc, taskRegistryName } from "../base/session-registry.ts";
import type { createModernEra } from "../modern/modern-era.ts";
import type { TaskPolicy, TaskView } from "../tasks/task-extension.ts";
import { runTaskRound } from "../modern/task-round.ts";
import { TaskRunner, type RoundInput, type StartOutcome, type TaskCall } from "../tasks/task-runner.ts";
import { LegacySession } from "../legacy/legacy-session.ts";

/**
 * The session Durable Object class: a thin RPC front over the roles one object can play, each
 * in its own file — a 2025 session (legacy/legacy-session.ts), a task of the tasks extension
 * (tasks/task-runner.ts), and a subject's registry of sessions, tasks and listeners
 * (base/session-registry.ts). Methods are `#`-private except the RPC surface below.
 */
export function createSessionClass<Env extends object>(identity: ServerIdentity<Env>, scopesSupported: readonly string[], modern: ReturnType<typeof createModernEra<Env>>) {
  // Task rounds run the worker's own 2026-07-28 pipeline inside the task's object (task-round.ts).
  class McpSession extends DurableObject<Env> {
    #tasks: TaskRunner | undefined;
    #session: LegacySession<Env> | undefined;

    /** Session role (legacy-session.ts): this object is the 2025 session whose id it is named by. */
    #legacySession(): LegacySession<Env> {
      this.#session ??= new LegacySession({ identity, scopesSupported, env: this.env, storage: this.ctx.storage, busFor: (env) => modern.busFor(env) });
      return this.#session;
    }

    /** Task role (task-runner.ts): this object is the task `task:<taskId>` of the tasks extension. */
    #taskRunner(): TaskRunner {
      this.#tasks ??= new TaskRunner(
        this.ctx.storage,
        (round, caller, control) => runTaskRound(modern, this.env, readConfig(this.env).resource, round, caller, control),
        Date.now,
        // A finished task frees its place in its subject's count (session-registry.ts).
        async (subject, taskId) => {
          const namespace = sessionNamespaceOf(this.env);
          if (namespace !== undefined) await sessionRpc(namespace, taskRegistryName(subject)).releaseTask(taskId).catch(() => undefined);
        },
      );
      return this.#tasks;
    }

    async startTask(taskId: string, caller: CallerIdentity, call: TaskCall, handle: TaskPolicy["handle"], first: RoundInput): Promise<StartOutcome> {
      return this.#taskRunner().start(taskId, caller, call, handle, first);
    }

    async getTask(caller: CallerIdentity): Promise<TaskView | undefined> {
      return this.#taskRunner().get(caller);
    }

    async updateTask(caller: CallerIdentity, responses: Record<string, unknown>): Promise<boolean> {
      return this.#taskRunner().update(caller, responses);
    }

    async cancelTask(caller: CallerIdentity): Promise<boolean> {
      return this.#taskRunner().cancel(caller);
    }

    /** Registry role (session-registry.ts): admits a subject's new session, returns the sessions to end. */
    async admitSession(sessionId: string, limit: number): Promise<string[]> {
      return admit(this.ctx.storage, sessionId, limit, Date.now());
    }

    /** Registry role: forgets an ended session. */
    async releaseSession(sessionId: string): Promise<void> {
      await release(this.ctx.storage, sessionId);
    }

    /** Task registry role (session-registry.ts): admits a subject's new task unless it has `limit` unfinished. */
    async admitTask(taskId: string, limit: number, ttlMs: number): Promise<boolean> {
      return admitEntry(this.ctx.storage, "task", taskId, limit, Date.now(), ttlMs);
    }

    /** Task registry role: a task finished or expired. */
    async releaseTask(taskId: string): Promise<void> {
      await releaseEntry(this.ctx.storage, "task", taskId);
    }

    /** Listener registry role: admits (or renews) a subject's listener unless it holds `limit`. */
    async admitListener(listenerId: string, limit: number, leaseMs: number): Promise<boolean> {
      return admitEntry(this.ctx.storage, "listener", listenerId, limit, Date.now(), leaseMs);
    }

    /** Listener registry role: a listening stream closed. */
    async releaseListener(listenerId: string): Promise<void> {
      await releaseEntry(this.ctx.storage, "listener", listenerId);
    }

    /** Ends this session (its subject opened too many): the same as DELETE. */
    async endSession(): Promise<void> {
      await this.#legacySession().terminate();
    }

    override async fetch(request: Request): Promise<Response> {
      return this.#legacySession().fetch(request);
    }

    override async alarm(): Promise<void> {
      if (await this.#taskRunner().expire()) return; // a task's retention (ttlMs) ended
      await this.#legacySession().idleAlarm();
    }
  }
  return McpSession;
}
