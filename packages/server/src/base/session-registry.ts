import { SESSION_BINDING } from "./defaults.ts";

/**
 * How many live sessions one subject may hold. Without a bound, any authenticated caller could
 * create session objects without limit, each storing its initialize for the idle period. Each
 * subject has a registry — an instance of the session class under the name `sessions-of:<sub>`,
 * never reachable by a client (a client's session id is 43 base64url characters, routed only
 * when well-formed) — that admits new sessions and names the oldest ones to end when the cap is
 * reached: a client that abandons sessions (as many do on restart) is never locked out.
 */
const ENTRY_PREFIX = "registry:";

/** The registry object's name for a subject. */
export function registryName(subject: string): string {
  return `sessions-of:${subject}`;
}

/** The object that counts a subject's open listeners (listen streams, sessions' GET streams). */
export function listenerRegistryName(subject: string): string {
  return `listeners-of:${subject}`;
}

/** The object that counts a subject's unfinished tasks (MCP tasks extension). */
export function taskRegistryName(subject: string): string {
  return `tasks-of:${subject}`;
}

/** The session class's RPC methods for the registry roles and for ending a session. */
export interface SessionRpc {
  admitSession(sessionId: string, limit: number): Promise<string[]>;
  releaseSession(sessionId: string): Promise<void>;
  admitTask(taskId: string, limit: number, ttlMs: number): Promise<boolean>;
  releaseTask(taskId: string): Promise<void>;
  admitListener(listenerId: string, limit: number, leaseMs: number): Promise<boolean>;
  releaseListener(listenerId: string): Promise<void>;
  endSession(): Promise<void>;
}

/** The worker's session Durable Object namespace (`MCP_SESSION`), undefined on a stateless worker. */
export function sessionNamespaceOf(env: object): DurableObjectNamespace | undefined {
  return (env as Record<string, unknown>)[SESSION_BINDING] as DurableObjectNamespace | undefined;
}

/** The object named `name` in the session namespace, through its RPC methods. */
export function sessionRpc(namespace: DurableObjectNamespace, name: string): SessionRpc {
  return namespace.get(namespace.idFromName(name)) as unknown as SessionRpc;
}

/** Registers a subject's new session and ends its oldest sessions beyond `limit`. */
export async function admitSession(namespace: DurableObjectNamespace, subject: string, sessionId: string, limit: number): Promise<void> {
  const evicted = await sessionRpc(namespace, registryName(subject)).admitSession(sessionId, limit);
  await Promise.all(evicted.map((id) => sessionRpc(namespace, id).endSession()));
}

/**
 * Records `sessionId` (created at `now`) and returns the sessions to end so that at most
 * `limit` remain, oldest first.
 */
export async function admit(storage: DurableObjectStorage, sessionId: string, limit: number, now: number): Promise<string[]> {
  const entries = await storage.list<number>({ prefix: ENTRY_PREFIX });
  const live = [...entries].map(([key, createdAt]) => ({ id: key.slice(ENTRY_PREFIX.length), createdAt })).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const evicted = live.slice(0, Math.max(0, live.length + 1 - limit)).map((s) => s.id);
  if (evicted.length > 0) await storage.delete(evicted.map((id) => `${ENTRY_PREFIX}${id}`));
  await storage.put(`${ENTRY_PREFIX}${sessionId}`, now);
  return evicted;
}

/** Forgets an ended session. */
export async function release(storage: DurableObjectStorage, sessionId: string): Promise<void> {
  await storage.delete(`${ENTRY_PREFIX}${sessionId}`);
}

/** What a counting registry counts: a subject's unfinished tasks, or its open listeners. */
export type Counted = "task" | "listener";

/**
 * Records one of a subject's `kind` (at `now`, held for `ttlMs`) unless `limit` are held already;
 * then false and nothing is recorded. An id already held is renewed (a listener's lease). Unlike
 * sessions, nothing is ended to make room: a task is the user's work, a listener the user's stream.
 * An entry past its time counts no more (its release was lost: the task or stream is gone anyway).
 */
export async function admitEntry(storage: DurableObjectStorage, kind: Counted, id: string, limit: number, now: number, ttlMs: number): Promise<boolean> {
  const prefix = `${kind}:`;
  const entries = await storage.list<number>({ prefix });
  const expired = [...entries].filter(([, at]) => at + ttlMs <= now).map(([key]) => key);
  if (expired.length > 0) await storage.delete(expired);
  const held = entries.has(`${prefix}${id}`) && !expired.includes(`${prefix}${id}`);
  if (!held && entries.size - expired.length >= limit) return false;
  await storage.put(`${prefix}${id}`, now);
  return true;
}

/** Forgets a finished task or a closed listener. */
export async function releaseEntry(storage: DurableObjectStorage, kind: Counted, id: string): Promise<void> {
  await storage.delete(`${kind}:${id}`);
}
