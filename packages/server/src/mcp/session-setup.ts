import type { McpServer } from "@modelcontextprotocol/server";
import { LIST_CHANGED_SENDERS, sendListChanged, type ListChange } from "../events/list-changes.ts";

/** Registered and removed once per kind when a session's server is built (see createSessionSetup). */
const PLACEHOLDER = "edge-mcp-session-setup";

/** One registration `setup` asked for, applied to the live server only at commit. */
interface Pending {
  readonly kind: ListChange;
  /** What a client sees of it in a listing (name, title, description, URI, annotations, `_meta`, schemas). */
  readonly fingerprint: string;
  readonly apply: () => { remove(): void };
}

interface Applied {
  readonly kind: ListChange;
  readonly fingerprint: string;
  readonly handle: { remove(): void };
}

/** A schema as JSON Schema, when it can say (Standard JSON Schema: zod 4, a gateway's passthrough); else nothing. */
function jsonSchemaOf(schema: unknown): unknown {
  const standard = (schema as { "~standard"?: { jsonSchema?: { input?: (options: { target: string }) => unknown } } } | undefined)?.["~standard"];
  try {
    return standard?.jsonSchema?.input?.({ target: "draft-2020-12" });
  } catch {
    return undefined;
  }
}

/** The registration's listing-visible fields: names, texts, annotations, `_meta` and the schemas as JSON Schema (never functions). */
function fingerprintOf(kind: ListChange, args: readonly unknown[]): string {
  const [name, second, third] = args;
  const config = (kind === "resources_list_changed" ? third : second) as Record<string, unknown> | undefined;
  const schemas = kind === "tools_list_changed" ? { input: jsonSchemaOf(config?.inputSchema), output: jsonSchemaOf(config?.outputSchema) } : undefined;
  const visible = { title: config?.title, description: config?.description, annotations: config?.annotations, mimeType: config?.mimeType, _meta: config?._meta, schemas };
  const where = kind === "resources_list_changed" ? (typeof second === "string" ? second : String((second as { uriTemplate?: unknown } | undefined)?.uriTemplate ?? "")) : "";
  return `${kind}\u0000${String(name)}\u0000${where}\u0000${JSON.stringify(visible)}`;
}

/**
 * What setup gets back for a registration that is applied only at commit: any use throws, since
 * the registration is replaced at every request (register what the caller may use instead).
 */
function inertHandle(): never {
  const refuse = () => {
    throw new TypeError('edge-mcp: with sessionSetup "per-request", setup runs again for every request; register only what the caller may use instead of changing a registration later.');
  };
  return new Proxy({}, { get: () => refuse }) as never;
}

/**
 * `sessionSetup: "per-request"`: a 2025 session whose `setup` runs again before every request, so
 * what the session offers follows what `setup` decides now (a gateway's rules, the caller's
 * current claims) instead of what it decided at `initialize`.
 *
 * `setup` runs against a recorder (`Object.create` of the live server, so everything but the
 * register methods is the live server's); `commit` then swaps the whole set in one synchronous
 * step — no await between removing the old registrations and adding the new — so a request
 * dispatched meanwhile never sees a half-built server. The SDK announces every add and remove;
 * those announcements are held back during the swap and one `list_changed` per kind is sent
 * only when what a client can list actually changed (MCP 2025-11-25, server/tools §List Changed
 * Notification: "When the list of available tools changes").
 */
export function createSessionSetup(server: McpServer) {
  // The SDK installs the tools/prompts/resources handlers (and declares the capability) with the
  // first registration of each kind, and refuses to declare capabilities once connected: a session
  // whose first setup registered no tools could never offer one later. So each kind is registered
  // once here, before the server is connected, and removed at once.
  const noop = () => ({ content: [], messages: [], contents: [] }) as never;
  server.registerTool(PLACEHOLDER, {}, noop).remove();
  server.registerPrompt(PLACEHOLDER, {}, noop).remove();
  server.registerResource(PLACEHOLDER, `edge-mcp:${PLACEHOLDER}`, {}, noop).remove();
  let applied: Applied[] = [];
  // Setups can overlap (a request's and a heard change's): one that started before the setup
  // already applied decided on older facts (rules read earlier), so its commit is dropped — what a
  // session offers only ever moves forward, and a revoked tool cannot come back with a late commit.
  let started = 0;
  let appliedTicket = 0;
  return {
    /** A recording stand-in for `server`, and the commit that applies what was recorded on it (unless a later-started setup was applied first). */
    record(): { recorder: McpServer; commit(): void } {
      const ticket = ++started;
      const pending: Pending[] = [];
      const recorder = Object.create(server) as McpServer;
      const recordAs = (kind: ListChange, method: "registerTool" | "registerPrompt" | "registerResource") =>
        ((...args: unknown[]) => {
          pending.push({ kind, fingerprint: fingerprintOf(kind, args), apply: () => (server[method] as (...a: unknown[]) => { remove(): void })(...args) });
          return inertHandle();
        }) as never;
      Object.assign(recorder, { registerTool: recordAs("tools_list_changed", "registerTool"), registerPrompt: recordAs("prompts_list_changed", "registerPrompt"), registerResource: recordAs("resources_list_changed", "registerResource") });
      return {
        recorder,
        commit() {
          if (ticket < appliedTicket) return;
          appliedTicket = ticket;
          const before = applied;
          const held = new Set<ListChange>();
          const senders = Object.entries(LIST_CHANGED_SENDERS) as [ListChange, (typeof LIST_CHANGED_SENDERS)[ListChange]][];
          // Instance properties shadow the SDK's methods for the swap only.
          for (const [kind, sender] of senders) Object.defineProperty(server, sender, { configurable: true, writable: true, value: () => void held.add(kind) });
          // Tracked as applied one by one: if a registration throws, the next commit still
          // removes exactly what this one put in place.
          const next: Applied[] = [];
          try {
            for (const { handle } of before) handle.remove();
            applied = next;
            for (const { kind, fingerprint, apply } of pending) next.push({ kind, fingerprint, handle: apply() });
          } finally {
            for (const [, sender] of senders) delete (server as unknown as Record<string, unknown>)[sender];
          }
          for (const [kind] of senders) {
            if (held.has(kind) && changed(before, applied, kind)) sendListChanged(server, kind);
          }
        },
      };
    },
  };
}

function changed(before: readonly Applied[], after: readonly Applied[], kind: ListChange): boolean {
  const of = (list: readonly Applied[]) => list.filter((a) => a.kind === kind).map((a) => a.fingerprint).sort().join("\n");
  return of(before) !== of(after);
}
