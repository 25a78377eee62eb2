import { SCOPE_PROFILES } from "@edge-mcp/auth";
import { z } from "zod";
import type { ServerIdentity, SetupFn } from "../mcp/build-server.ts";
import type { EventSource, Subscriber } from "../events/event-sources.ts";
import type { InterceptFn } from "../modern/intercept.ts";
import { consoleAuditSink, type AuditSink } from "../policy/audit.ts";
import { WORKERS_TRACER, type Tracer } from "../base/tracer.ts";
import { auditSinksFor } from "../policy/audit-sinks.ts";

export const OptionsSchema = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  transport: z.enum(["stateful", "stateless"]),
  setup: z.custom<SetupFn<never>>((v) => typeof v === "function", "must be a function (mcp, ctx) => void"),
  instructions: z.string().optional(),
  capabilities: z.record(z.string(), z.unknown()).optional(),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, "must be scope tokens")).min(1).optional(),
  resourceName: z.string().min(1).optional(),
  resourceDocumentation: z.string().url().optional(),
  jwksKvBinding: z.string().min(1).optional(),
  responseMode: z.enum(["sse", "json"]).optional(),
  sessionSetup: z.enum(["once", "per-request"]).optional(),
  reuse: z.boolean().optional(),
  rateLimit: z
    .strictObject({ requests: z.number().int().positive(), writes: z.number().int().positive().optional(), windowSeconds: z.number().int().positive() })
    .optional(),
  cacheHints: z.record(z.string(), z.strictObject({ ttlMs: z.number().int().min(0), cacheScope: z.enum(["public", "private"]) })).optional(),
  eventSources: z.custom<(env: never, subscriber: never) => readonly EventSource[]>((v) => typeof v === "function", "must be a function (env, subscriber) => EventSource[]").optional(),
  tracer: z.custom<Tracer>((v) => typeof v === "object" && v !== null && typeof (v as Tracer).enterSpan === "function", "must be a Tracer ({ enterSpan(name, callback) })").optional(),
  healthDetail: z.custom<(env: never) => unknown>((v) => typeof v === "function", "must be a function (env) => Record<string, unknown>").optional(),
  intercept: z.custom<InterceptFn<never>>((v) => typeof v === "function", "must be a function (request) => Promise<Response | undefined>").optional(),
  metrics: z.boolean().optional(),
  audit: z.custom<AuditSink | false>((v) => v === false || (typeof v === "object" && v !== null && typeof (v as AuditSink).write === "function"), "must be an AuditSink ({ write }) or false").optional(),
});

export interface McpWorkerOptions<Env> extends Omit<z.input<typeof OptionsSchema>, "setup" | "capabilities" | "audit" | "cacheHints" | "eventSources" | "intercept" | "sessionSetup" | "healthDetail" | "tracer"> {
  /**
   * When `setup` runs in a 2025 session (stateful servers): `"once"` at `initialize` (default), or
   * `"per-request"` before every request, so a session offers what `setup` decides for that
   * request's caller and claims (a gateway's rules); a change reaches the client as
   * `list_changed`. The handles `setup` gets back from registrations are then inert.
   */
  sessionSetup?: "once" | "per-request";
  /**
   * Reuse built servers (default `true`): a 2026-07-28 or 2025 stateless request is served by a
   * server this isolate already built for a caller with the same scopes, so `setup` runs and tool
   * schemas are converted once per scope set, not on every request. `setup` may then depend on
   * `env`, `era` and `ctx.caller.scopes` only: reading the caller's subject, client or claims
   * throws, and `method` / `target` are absent. Set `false` when `setup` depends on who calls
   * (a gateway's rules). 2025 sessions and task rounds always build their own.
   */
  reuse?: boolean;
  /**
   * 2026-07-28 cache hints for results that set none, per method, e.g.
   * `{ "tools/list": { ttlMs: 60_000, cacheScope: "public" } }`. Use `"private"` whenever a
   * result depends on the caller. Default: none (the SDK's `ttlMs: 0`).
   */
  cacheHints?: import("@modelcontextprotocol/server").McpServerOptions["cacheHints"];
  /**
   * Feeds of list changes from outside this worker (a gateway's backends), made per listener —
   * `subscriber.caller` is the verified caller of the listening stream — and relayed to it.
   */
  eventSources?: (env: Env, subscriber: Subscriber) => readonly EventSource[];
  /**
   * Offered every 2026-07-28 request after the token and input checks, before the SDK: answers
   * it (a gateway relaying a call) or returns undefined. It must `authorize` before answering.
   */
  intercept?: InterceptFn<Env>;
  /**
   * Where the spans of each request's stages go (authentication, dispatch, the tool): Workers'
   * own tracing by default (`WORKERS_TRACER`); tests pass a recorder.
   */
  tracer?: Tracer;
  /**
   * Operational detail `/health` adds for operators only (a gateway's backends, the rules in
   * force): anonymous callers get the overall report; a request with a bearer token must carry the
   * operator scope (`OPERATOR_SCOPE`, `fleet.read`: 401 / 403 step-up otherwise) to see this too.
   */
  healthDetail?: (env: Env) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Audit log sink; default one JSON line per event on the console; `false` turns it off. */
  audit?: AuditSink | false;
  /**
   * One Analytics Engine data point per tool call and per refused request (default `true`), to the
   * env's `MCP_METRICS` dataset when bound — or `MCP_METRICS_LOCAL`, the local store under
   * `npm run dev`. Derived from the audit events (policy/metrics.ts); `false` writes none.
   */
  metrics?: boolean;
  /**
   * Registers tools (with scopes), resources and prompts. Runs once per scope set and isolate for
   * stateless requests (2026-07-28, and 2025 stateless) — per request with `reuse: false` — and
   * per 2025 session: at `initialize`, or before every request of the session with
   * `sessionSetup: "per-request"`.
   */
  setup: SetupFn<Env>;
  capabilities?: import("@modelcontextprotocol/server").ServerCapabilities;
}

/** The options, checked once: what the worker is built from. */
export interface WorkerSettings<Env> {
  readonly o: z.output<typeof OptionsSchema>;
  /** The scopes the server advertises (the `scopes` option, or the standard profile). */
  readonly scopes: readonly string[];
  /** The audit sink of an env (configured sink, metrics, local store), or undefined when there is none. */
  readonly auditFor: (env: object) => AuditSink | undefined;
  readonly identity: ServerIdentity<Env>;
}

/** Checks `createMcpWorker`'s options once, at construction: a TypeError names the bad option. */
export function parseWorkerOptions<Env>(options: McpWorkerOptions<Env>): WorkerSettings<Env> {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(`createMcpWorker: option "${issue?.path.join(".") || "options"}" ${issue?.message ?? "is invalid"}`);
  }
  const o = parsed.data;
  const scopes = Object.freeze([...(o.scopes ?? SCOPE_PROFILES.standard)]);
  const auditFor = auditSinksFor(o.audit === false ? undefined : (o.audit ?? consoleAuditSink), o.metrics ?? true);
  const identity = Object.freeze({
    name: o.name,
    version: o.version,
    setup: options.setup as SetupFn<Env>,
    auditFor,
    ...(o.rateLimit === undefined ? {} : { rateLimit: o.rateLimit }),
    jsonResponse: o.responseMode === "json",
    ...(o.instructions === undefined ? {} : { instructions: o.instructions }),
    ...(options.capabilities === undefined ? {} : { capabilities: options.capabilities }),
    ...(options.cacheHints === undefined ? {} : { cacheHints: options.cacheHints }),
    ...(options.eventSources === undefined ? {} : { eventSources: options.eventSources }),
    ...(o.sessionSetup === undefined ? {} : { sessionSetup: o.sessionSetup }),
    reuse: o.reuse ?? true,
    tracer: options.tracer ?? WORKERS_TRACER,
  });
  return { o, scopes, auditFor, identity };
}
