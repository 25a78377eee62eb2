import { createProtectedResourceMetadata, extractBearerToken, isAuthFailure, SCOPE_PROFILES } from "@edge-mcp/auth";
import { Hono } from "hono";
import { z } from "zod";
import type { SetupFn } from "../mcp/build-server.ts";
import { AUTH_DISABLED_CALLER, callerFrom, type CallerIdentity } from "../base/caller.ts";
import { advertisedScopes, challengeFor } from "../http/challenge.ts";
import { readConfig, type ServerConfig } from "../base/config.ts";
import { SERVER_DEFAULTS } from "../base/defaults.ts";
import { errorResponse, rpcIdOf } from "../http/error-response.ts";
import {
  BodyTooLargeError,
  InvalidJsonRpcRequestError,
  isServerFailure,
  MethodNotAllowedError,
  NotFoundError,
  UnsupportedMediaTypeError,
} from "../base/errors.ts";
import { healthReport } from "../http/health.ts";
import { tokenVerifiers } from "../http/token-verifiers.ts";
import { eraOf, type Era } from "../http/era.ts";
import { batchesAllowed, checkProtocolVersion, messagesFrom, parseJson, type ParsedMessages } from "../http/jsonrpc.ts";
import { routeToSession, withoutCredentials } from "../legacy/legacy-sessions.ts";
import { createModernEra } from "../modern/modern-era.ts";
import { consoleAuditSink, type AuditSink } from "../policy/audit.ts";
import { createBackendEntrypoint } from "./backend-entrypoint.ts";
import type { EventSource, Subscriber } from "../events/event-sources.ts";
import { interceptedRequest, type InterceptFn } from "../modern/intercept.ts";
import { describeMessages, writeRequestAudit, type RequestObservation } from "../policy/request-audit.ts";
import { checkOriginAndHost, corsHeaders, preflightResponse } from "../http/origin-guard.ts";
import { readBodyWithLimit } from "../http/read-body.ts";
import { createSessionClass } from "./session-object.ts";
import { handleStateless } from "../legacy/stateless.ts";
import { createServerSource } from "../mcp/server-source.ts";
import { inRequest } from "../base/request-context.ts";

const OptionsSchema = z.object({
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
  intercept: z.custom<InterceptFn<never>>((v) => typeof v === "function", "must be a function (request) => Promise<Response | undefined>").optional(),
  audit: z.custom<AuditSink | false>((v) => v === false || (typeof v === "object" && v !== null && typeof (v as AuditSink).write === "function"), "must be an AuditSink ({ write }) or false").optional(),
});

export interface McpWorkerOptions<Env> extends Omit<z.input<typeof OptionsSchema>, "setup" | "capabilities" | "audit" | "cacheHints" | "eventSources" | "intercept" | "sessionSetup"> {
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
  /** Audit log sink; default one JSON line per event on the console; `false` turns it off. */
  audit?: AuditSink | false;
  /**
   * Registers tools (with scopes), resources and prompts. Runs once per scope set and isolate for
   * stateless requests (2026-07-28, and 2025 stateless) — per request with `reuse: false` — and
   * per 2025 session: at `initialize`, or before every request of the session with
   * `sessionSetup: "per-request"`.
   */
  setup: SetupFn<Env>;
  capabilities?: import("@modelcontextprotocol/server").ServerCapabilities;
}

export interface McpWorker<Env> {
  fetch(request: Request, env: Env, ctx?: ExecutionContext): Promise<Response>;
  /** The session Durable Object class; export it as `McpSession` from the worker module. */
  McpSession: ReturnType<typeof createSessionClass<Env & object>>;
  /**
   * The named RPC entrypoint an edge-mcp gateway calls through a service binding; export it as
   * `McpBackend` from the worker module. Not reachable from the internet.
   */
  McpBackend: ReturnType<typeof createBackendEntrypoint<Env>>;
}

const PRM_PREFIX = "/.well-known/oauth-protected-resource";

/**
 * Turns a setup callback into a production MCP server Worker: Streamable HTTP at the
 * `MCP_RESOURCE` path, RFC 9728 metadata, `/health`, and on every MCP request the checks of
 * the MCP authorization and transport specs, in this order:
 * method (405) → Origin/Host (403) → Content-Type (415) → declared size (413) → bearer token
 * (401/400/503) → MCP-Protocol-Version (400) → body size (413) → JSON / JSON-RPC (400) →
 * session (400/404) → scopes (403) → dispatch.
 */
export function createMcpWorker<Env extends object>(options: McpWorkerOptions<Env>): McpWorker<Env> {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(`createMcpWorker: option "${issue?.path.join(".") || "options"}" ${issue?.message ?? "is invalid"}`);
  }
  const o = parsed.data;
  const scopes = Object.freeze([...(o.scopes ?? SCOPE_PROFILES.standard)]);
  const audit = o.audit === false ? undefined : (o.audit ?? consoleAuditSink);
  const identity = Object.freeze({
    name: o.name,
    version: o.version,
    setup: options.setup,
    ...(audit === undefined ? {} : { audit }),
    ...(o.rateLimit === undefined ? {} : { rateLimit: o.rateLimit }),
    jsonResponse: o.responseMode === "json",
    ...(o.instructions === undefined ? {} : { instructions: o.instructions }),
    ...(options.capabilities === undefined ? {} : { capabilities: options.capabilities }),
    ...(options.cacheHints === undefined ? {} : { cacheHints: options.cacheHints }),
    ...(options.eventSources === undefined ? {} : { eventSources: options.eventSources }),
    ...(o.sessionSetup === undefined ? {} : { sessionSetup: o.sessionSetup }),
    reuse: o.reuse ?? true,
  });
  const modern = createModernEra<Env>(identity);
  const legacyServers = createServerSource<Env>(identity, "legacy");
  const verifierFor = tokenVerifiers(o.jwksKvBinding);

  type AppEnv = { Bindings: Env; Variables: { config: ServerConfig; seen: RequestObservation } };
  const app = new Hono<AppEnv>();

  /**
   * The one answer to a failed MCP request, over HTTP or through the backend entrypoint: our
   * refusals by their own mapping; anything else a bare 500 (its text never reaches the client).
   */
  function failureResponse(error: unknown, config: ServerConfig | undefined, seen: RequestObservation | undefined, where: string): Response {
    if (isServerFailure(error) || isAuthFailure(error)) {
      const challenge = config === undefined ? { resourceMetadataUrl: "https://invalid/" } : challengeFor(config, scopes);
      return errorResponse(error, challenge, seen?.rpcId ?? null);
    }
    // Our own messages never carry credentials; a foreign one is truncated, and never echoed to the client.
    const detail = error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : "unknown";
    console.error(JSON.stringify({ level: "error", message: `unhandled error${where}`, error: detail }));
    return Response.json({ jsonrpc: "2.0", id: seen?.rpcId ?? null, error: { code: -32603, message: "Internal error" } }, { status: 500 });
  }

  app.onError((error, c) => failureResponse(error, c.get("config"), c.get("seen"), ""));

  // Config first: a misconfigured server answers 500 naming the variable, on every route.
  app.use("*", async (c, next) => {
    c.set("config", readConfig(c.env));
    await next();
  });

  // Origin/Host on everything; CORS headers on every answer to an allowed origin, errors included.
  app.use("*", async (c, next) => {
    const config = c.get("config");
    const isPublic = c.req.path.startsWith(PRM_PREFIX);
    if (!isPublic) checkOriginAndHost(c.req.raw, config);
    if (c.req.method === "OPTIONS") return preflightResponse(c.req.raw, config, isPublic);
    await next();
    const cors = Object.entries(corsHeaders(c.req.raw, config, isPublic));
    if (cors.length > 0) {
      // A response fetched from the session object has immutable headers: copy before adding.
      const response = new Response(c.res.body, c.res);
      for (const [name, value] of cors) response.headers.set(name, value);
      c.res = response;
    }
  });

  app.get(`${PRM_PREFIX}/*`, (c) => prm(c.get("config"), c.req.path));
  app.get(PRM_PREFIX, (c) => prm(c.get("config"), c.req.path));
  const metadataByConfig = new WeakMap<ServerConfig, ReturnType<typeof createProtectedResourceMetadata>>();
  function prm(config: ServerConfig, path: string): Response {
    const resourcePath = config.resourcePath === "/" ? "" : config.resourcePath;
    if (path !== PRM_PREFIX && path !== `${PRM_PREFIX}${resourcePath}`) {
      throw new NotFoundError("No protected resource metadata here.");
    }
    let metadata = metadataByConfig.get(config);
    if (metadata === undefined) {
      metadata = createProtectedResourceMetadata({
        resource: config.resource,
        authorizationServers: config.auth.disabled ? [config.resourceOrigin] : [config.auth.issuer],
        scopesSupported: [...advertisedScopes(config, scopes)],
        ...(o.resourceName === undefined ? { resourceName: o.name } : { resourceName: o.resourceName }),
        ...(o.resourceDocumentation === undefined ? {} : { resourceDocumentation: o.resourceDocumentation }),
      });
      metadataByConfig.set(config, metadata);
    }
    return Response.json(metadata, { headers: { "cache-control": "public, max-age=3600" } });
  }

  app.get("/health", async (c) => {
    const config = c.get("config");
    const report = await healthReport({ name: o.name, version: o.version, transport: o.transport }, config, verifierFor(config, c.env));
    return c.json(report, report.status === "ok" ? 200 : 503, { "cache-control": "no-store" });
  });

  // The audit line of every MCP request: outcome from the final status, whoever the caller was.
  app.use("*", async (c, next) => {
    if (audit === undefined || c.req.path !== c.get("config").resourcePath || c.req.method === "OPTIONS") return next();
    const started = Date.now();
    await next();
    await writeRequestAudit(audit, o.name, c.req.raw, c.res, c.get("seen") ?? {}, started);
  });

  app.all("*", async (c) => {
    const config = c.get("config");
    if (c.req.path !== config.resourcePath) throw new NotFoundError(`No route for ${c.req.method} ${c.req.path}.`);
    const seen: RequestObservation = {};
    c.set("seen", seen);
    return handleMcp(c.req.raw, c.env, config, seen);
  });

  async function authenticate(request: Request, env: Env, config: ServerConfig): Promise<CallerIdentity> {
    const verifier = verifierFor(config, env);
    if (verifier === undefined) return AUTH_DISABLED_CALLER;
    return callerFrom(await verifier.verify(await extractBearerToken(request)));
  }

  /**
   * One MCP request, from the method check to dispatch. `verified` is the caller a gateway
   * already verified (backend entrypoint): then no token is read and no Origin applies (no browser
   * reaches a service binding); everything from the protocol version on is the same. What the
   * request turns out to be (caller, era, methods, id) is noted in `seen` as soon as it is known,
   * for its audit line and for the id of an error answer.
   */
  async function handleMcp(request: Request, env: Env, config: ServerConfig, seen: RequestObservation, verified?: CallerIdentity): Promise<Response> {
    const observe = (caller: CallerIdentity, messages?: ParsedMessages["messages"], era?: Era) => {
      seen.caller = caller;
      if (era !== undefined) seen.era = era;
      if (messages !== undefined) {
        seen.rpc = describeMessages(messages);
        seen.rpcId = rpcIdOf(messages);
      }
    };
    const method = request.method;
    const allow = o.transport === "stateful" ? "GET, POST, DELETE" : "POST";
    if (!allow.split(", ").includes(method)) {
      throw new MethodNotAllowedError(allow, `${method} is not supported on the MCP endpoint${o.transport === "stateless" ? " of a stateless server" : ""}.`);
    }
    // Nothing unauthenticated is read: GET and DELETE carry no body (a 64 MiB one is refused unread).
    if (method !== "POST" && carriesBody(request)) throw new InvalidJsonRpcRequestError(`Invalid Request: ${method} requests to the MCP endpoint must not carry a body.`);
    if (method === "POST") {
      const type = request.headers.get("content-type") ?? "";
      if (!/^application\/json\s*(;|$)/i.test(type)) throw new UnsupportedMediaTypeError("Content-Type must be application/json.");
      const declared = request.headers.get("content-length");
      if (declared !== null && Number(declared) > SERVER_DEFAULTS.maxBodyBytes) {
        throw new BodyTooLargeError(`Request body is larger than ${SERVER_DEFAULTS.maxBodyBytes} bytes.`);
      }
    }
    const caller = verified ?? (await authenticate(request, env, config));
    observe(caller);
    const body = method === "POST" ? await readBodyWithLimit(request, SERVER_DEFAULTS.maxBodyBytes) : undefined;
    const json = body === undefined ? undefined : parseJson(body);
    if ((await eraOf(request, json)) === "modern") {
      if (method !== "POST") throw new MethodNotAllowedError("POST", `${method} is not part of MCP 2026-07-28, which has no sessions or standing streams: POST requests only.`);
      const parsed = messagesFrom(json, { allowBatch: false });
      observe(caller, parsed.messages, "modern");
      const only = parsed.messages[0];
      if (options.intercept !== undefined && only !== undefined && "method" in only && "id" in only) {
        const answered = await options.intercept(interceptedRequest(identity, env, caller, only, request, withoutCredentials(request.headers), body ?? "", seen));
        if (answered !== undefined) return answered;
      }
      return modern.serve(rebuild(request, body), env, json, parsed, caller);
    }
    checkProtocolVersion(request);
    const parsed = json === undefined ? undefined : messagesFrom(json, { allowBatch: batchesAllowed(request) });
    if (parsed !== undefined) observe(caller, parsed.messages, "legacy");
    if (o.transport === "stateless") return handleStateless(identity, legacyServers, env, rebuild(request, body), parsed!, caller);
    return routeToSession(request, env, config, caller, parsed, body);
  }

  /** Whether a request has a body: a non-zero Content-Length, or a stream without one (chunked). */
  function carriesBody(request: Request): boolean {
    const declared = request.headers.get("content-length");
    return declared === null ? request.body !== null : declared.trim() !== "0";
  }

  /** The request for a stateless transport: body already read (and bounded), credentials gone. */
  function rebuild(request: Request, body: string | undefined): Request {
    return new Request(request.url, {
      method: request.method,
      headers: withoutCredentials(request.headers),
      ...(body === undefined ? {} : { body }),
    });
  }


  /** A request through the backend entrypoint: the same pipeline with the gateway's verified caller; errors mapped as for HTTP. */
  async function serveVerified(request: Request, env: Env, caller: CallerIdentity): Promise<Response> {
    const started = Date.now();
    const seen: RequestObservation = {};
    let config: ServerConfig | undefined;
    let response: Response;
    try {
      config = readConfig(env);
      response = await handleMcp(request, env, config, seen, caller);
    } catch (error) {
      response = failureResponse(error, config, seen, " (backend entrypoint)");
    }
    if (audit !== undefined) await writeRequestAudit(audit, o.name, request, response, seen, started, "gateway");
    return response;
  }

  return {
    fetch: (request, env, ctx) => inRequest(ctx, () => Promise.resolve(app.fetch(request, env, ctx))),
    McpSession: createSessionClass<Env>(identity, scopes, modern),
    McpBackend: createBackendEntrypoint<Env>({ serve: serveVerified }),
  };
}
