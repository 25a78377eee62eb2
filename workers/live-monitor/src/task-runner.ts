import { DurableObject } from "cloudflare:workers";

export type TaskStatus = "running" | "completed" | "stopped";

export interface Task {
  id: string;
  name: string;
  status: TaskStatus;
  progress: number;
  total: number;
  stepMs: number;
  result: string | null;
  createdAt: string;
  updatedAt: string;
}

type Row = {
  id: string;
  name: string;
  status: TaskStatus;
  progress: number;
  total: number;
  step_ms: number;
  next_at: number;
  result: string | null;
  created_at: string;
  updated_at: string;
};

const toTask = (r: Row): Task => ({
  id: r.id,
  name: r.name,
  status: r.status,
  progress: r.progress,
  total: r.total,
  stepMs: r.step_ms,
  result: r.result,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Most tasks one user may have running at once. */
export const MAX_RUNNING_TASKS = 10;

/**
 * One Durable Object per user (`idFromName(sub)`) that owns that user's tasks and does their
 * work in alarm ticks: each due task advances one step per tick, and the alarm is set for the
 * next due step. Nothing runs between steps, so a waiting task costs nothing; state lives in
 * SQLite, so tasks survive sessions, evictions and restarts.
 */
export class TaskRunner extends DurableObject {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS tasks (
      id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL,
      progress INTEGER NOT NULL, total INTEGER NOT NULL, step_ms INTEGER NOT NULL, next_at INTEGER NOT NULL,
      result TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`);
  }

  async start(name: string, total: number, stepMs: number): Promise<Task> {
    const running = this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM tasks WHERE status = 'running'").one().n;
    if (running >= MAX_RUNNING_TASKS) throw new Error(`At most ${MAX_RUNNING_TASKS} tasks may run at once; stop one first.`);
    const now = new Date();
    const id = crypto.randomUUID();
    this.ctx.storage.sql.exec(
      "INSERT INTO tasks (id, name, status, progress, total, step_ms, next_at, result, created_at, updated_at) VALUES (?, ?, 'running', 0, ?, ?, ?, NULL, ?, ?)",
      id, name, total, stepMs, now.getTime() + stepMs, now.toISOString(), now.toISOString(),
    );
    await this.#schedule();
    return this.get(id)!;
  }

  get(id: string): Task | undefined {
    const row = this.ctx.storage.sql.exec<Row>("SELECT * FROM tasks WHERE id = ?", id).toArray()[0];
    return row === undefined ? undefined : toTask(row);
  }

  list(): Task[] {
    return this.ctx.storage.sql.exec<Row>("SELECT * FROM tasks ORDER BY created_at DESC").toArray().map(toTask);
  }

  async stop(id: string): Promise<Task | undefined> {
    this.ctx.storage.sql.exec("UPDATE tasks SET status = 'stopped', updated_at = ? WHERE id = ? AND status = 'running'", new Date().toISOString(), id);
    await this.#schedule();
    return this.get(id);
  }

  /** One tick: every due task advances a step; finished tasks get their result. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const due = this.ctx.storage.sql.exec<Row>("SELECT * FROM tasks WHERE status = 'running' AND next_at <= ?", now).toArray();
    for (const task of due) {
      const progress = task.progress + 1;
      const done = progress >= task.total;
      this.ctx.storage.sql.exec(
        "UPDATE tasks SET progress = ?, status = ?, next_at = ?, result = ?, updated_at = ? WHERE id = ?",
        progress,
        done ? "completed" : "running",
        now + task.step_ms,
        done ? `Task "${task.name}" finished ${task.total} steps.` : null,
        new Date(now).toISOString(),
        task.id,
      );
    }
    await this.#schedule();
  }

  async #schedule(): Promise<void> {
    const next = this.ctx.storage.sql.exec<{ t: number | null }>("SELECT min(next_at) AS t FROM tasks WHERE status = 'running'").one().t;
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }
}

export interface TasksEnv {
  TASKS: DurableObjectNamespace<TaskRunner>;
}

/** The calling user's task runner; `subject` must come from the verified token. */
export function runnerFor(env: TasksEnv, subject: string): DurableObjectStub<TaskRunner> {
  return env.TASKS.get(env.TASKS.idFromName(subject));
}
