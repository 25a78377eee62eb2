import { readEventEnvelopes, type EventSource } from "@edge-mcp/server";
import type { BackendTarget } from "./backend-target.ts";
import type { Catalog } from "./catalog.ts";
import { policyFor, type CallerFacts, type ItemKind, type Policy } from "./policy.ts";
import type { RulesStore } from "./rules-store.ts";

/** What a rules change announces. */
export const RULE_CHANGE_EVENTS = ["tools_list_changed", "prompts_list_changed", "resources_list_changed"] as const;

/** Resolves when `signal` aborts, or after `ms` (then with false). */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve(true)), { once: true });
  });
}

/** Resolves when `signal` aborts: a feed with nothing to read waits for its listeners to leave. */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
}

/** Which of a backend's lists an event is about: what the listener's rules must reach for it to hear it. */
const KIND_OF: Record<string, ItemKind> = { tools_list_changed: "tools", prompts_list_changed: "prompts", resources_list_changed: "resources", resource_updated: "resources" };

/**
 * What one gateway listener (a `subscriptions/listen` stream, a 2025 session's stream) hears
 * besides the gateway's own announcements, for that listener's caller: the list changes of each
 * fleet backend its rules reach (its `McpBackend.events()` stream; the cached list of that backend
 * is dropped at once) — an event only when the rules reach that kind of the backend's lists, as
 * they stand when it arrives; a backend they reach nothing of is followed from the rules change
 * that gives them something of it — a change of the rules in KV (polled while it listens), and a backend
 * whose tools arrived after a listing in this isolate had left it out for being slow. Each listener
 * runs these in its own request (`withEventSources`): one events stream per backend its rules reach,
 * and one rules poll.
 */
export function gatewayEventSources(targets: ReadonlyMap<string, BackendTarget>, catalog: Catalog, rules: RulesStore, env: Readonly<Record<string, unknown>>, pollMs: number, facts: CallerFacts): EventSource[] {
  const policyNow = async () => policyFor((await rules.readFrom(env)).snapshot.rules, facts);
  const sources: EventSource[] = [];
  for (const target of targets.values()) {
    const events = target.events;
    if (events === undefined) continue;
    sources.push(async (emit, signal) => {
      // A backend the caller's rules reach nothing of is not followed (its feed costs a stream)
      // until a rules change gives them something of it.
      for (;;) {
        const { snapshot } = await rules.readFrom(env);
        if (reachesAny(policyFor(snapshot.rules, facts), target.name)) break;
        if (await rulesChange(rules, env, snapshot.version, pollMs, signal)) return; // the listener left
      }
      const response = await events();
      // A backend without an event bus announces nothing: wait until the listeners leave.
      if (!response.ok || response.body === null) return untilAborted(signal);
      await readEventEnvelopes(response.body, ({ event }) => {
        if (event.kind !== "resource_updated") catalog.invalidate(target.name);
        const kind = KIND_OF[event.kind];
        void policyNow().then((policy) => kind !== undefined && policy.reaches(target.name, kind) && emit(event), () => undefined);
      }, signal);
    });
  }
  sources.push(async (emit, signal) => {
    // Each listener's poll compares with what it saw itself, so each hears a change once, whoever
    // noticed it first.
    let seen = (await rules.readFrom(env)).snapshot.version;
    while (!(await sleep(pollMs, signal))) {
      const { snapshot } = await rules.readFrom(env);
      if (snapshot.version !== seen) {
        seen = snapshot.version;
        rules.announced(snapshot.version);
        // Rules decide which backends' tools, prompts and resources a caller sees: all three lists may have changed.
        for (const kind of RULE_CHANGE_EVENTS) emit({ kind });
      }
    }
  });
  sources.push(async (emit, signal) => {
    // A listing without a slow backend's tools is stale once they arrive: tell the listeners it concerns to list again.
    const unsubscribe = catalog.onLateTools((backend) => void policyNow().then((policy) => policy.reaches(backend) && emit({ kind: "tools_list_changed" }), () => undefined));
    await untilAborted(signal);
    unsubscribe();
  });
  return sources;
}

/** Whether the rules give the caller anything of `backend`: its tools, prompts or resources. */
function reachesAny(policy: Policy, backend: string): boolean {
  return policy.reaches(backend, "tools") || policy.reaches(backend, "prompts") || policy.reaches(backend, "resources");
}

/** Resolves once the rules differ from `version` (false), or when `signal` aborts first (true). */
async function rulesChange(rules: RulesStore, env: Readonly<Record<string, unknown>>, version: string, pollMs: number, signal: AbortSignal): Promise<boolean> {
  for (;;) {
    if (await sleep(pollMs, signal)) return true;
    if ((await rules.readFrom(env)).snapshot.version !== version) return false;
  }
}
