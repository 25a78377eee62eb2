import { hasScopes, InsufficientScopeError, OPERATOR_SCOPE } from "@edge-mcp/auth";
import { Hono } from "hono";
import type { CallerIdentity } from "../base/caller.ts";
import { readConfig, type ServerConfig } from "../base/config.ts";
import { NotFoundError } from "../base/errors.ts";
import { inRequest } from "../base/request-context.ts";
import { failureResponse } from "./failure-response.ts";
import { handleConnect } from "../apis/connect-flow.ts";
import { healthReport } from "../http/health.ts";
import { checkOriginAndHost, corsHeaders, preflightResponse } from "../http/origin-guard.ts";
import { createResourceMetadataResponder, PRM_PREFIX } from "../http/resource-metadata.ts";
import { tokenVerifiers } from "../http/token-verifiers.ts";
import { createServerSource } from "../mcp/server-source.ts";
import { createModernEra } from "../modern/modern-era.ts";
import { writeRequestAudit, type RequestObservation } from "../policy/request-audit.ts";
import { createBackendEntrypoint } from "./backend-entrypoint.ts";
import { authenticate, createMcpRequestHandler } from "./mcp-request.ts";
import { createSessionClass } from "./session-object.ts";
import { parseWorkerOptions, type McpWorkerOptions } from "./worker-options.ts";

export type { McpWorkerOptions } from "./worker-options.ts";

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


/**
 * Turns a setup callback into a production MCP server Worker: Streamable HTTP at the
 * `MCP_RESOURCE` path, RFC 9728 metadata, `/health`, and on every MCP request the checks of
 * the MCP authorization and transport specs, in this order:
 * method (405) → Origin/Host (403) → Content-Type (415) → declared size (413) → bearer token
 * (401/400/503) → MCP-Protocol-Version (400) → body size (413) → JSON / JSON-RPC (400) →
 * session (400/404) → scopes (403) → dispatch.
 */
export function createMcpWorker<Env extends object>(options: McpWorkerOptions<Env>): McpWorker<Env> {
  const { o, scopes, auditFor, identity } = parseWorkerOptions(options);
  const modern = createModernEra<Env>(identity);
  const legacyServers = createServerSource<Env>(identity, "legacy");
  const verifierFor = tokenVerifiers(o.jwksKvBinding);
  const handleMcp = createMcpRequestHandler<Env>({ identity, transport: o.transport, modern, legacyServers, verifierFor, ...(options.intercept === undefined ? {} : { intercept: options.intercept }) });

  type AppEnv = { Bindings: Env; Variables: { config: ServerConfig; seen: RequestObservation } };
  const app = new Hono<AppEnv>();

  app.onError((error, c) => failureResponse(error, c.get("config"), scopes, c.get("seen"), ""));

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
  const prm = createResourceMetadataResponder({ resourceName: o.resourceName ?? o.name, ...(o.resourceDocumentation === undefined ? {} : { resourceDocumentation: o.resourceDocumentation }), scopes });

  app.get("/health", async (c) => {
    const config = c.get("config");
    // Detail is for operators: anonymous monitors get the overall report; a token must carry the
    // operator scope, checked before anything is gathered for it.
    const detail = options.healthDetail !== undefined && c.req.header("authorization") !== undefined ? options.healthDetail : undefined;
    if (detail !== undefined) {
      const caller = await authenticate(verifierFor, c.req.raw, c.env, config);
      if (!hasScopes(caller, [OPERATOR_SCOPE])) throw new InsufficientScopeError([OPERATOR_SCOPE]);
    }
    const body = await healthOf(config, c.env, detail);
    return c.json(body, body.status === "ok" ? 200 : 503, { "cache-control": "no-store" });
  });

  /** The health report, with the operator's detail when it is to be shown. */
  async function healthOf(config: ServerConfig, env: Env, detail: McpWorkerOptions<Env>["healthDetail"]) {
    const report = await healthReport({ name: o.name, version: o.version, transport: o.transport }, config, verifierFor(config, env));
    return detail === undefined ? report : { ...report, ...(await detail(env)) };
  }

  // The audit line of every MCP request: outcome from the final status, whoever the caller was.
  app.use("*", async (c, next) => {
    const audit = auditFor(c.env);
    if (audit === undefined || c.req.path !== c.get("config").resourcePath || c.req.method === "OPTIONS") return next();
    const started = Date.now();
    await next();
    await writeRequestAudit(audit, o.name, c.req.raw, c.res, c.get("seen") ?? {}, started);
  });

  // A URL elicitation's account-connect flow (servers that declare third-party APIs).
  app.get("/connect/*", async (c) => (await handleConnect(c.req.raw, c.env, c.get("config"))) ?? c.notFound());

  app.all("*", async (c) => {
    const config = c.get("config");
    if (c.req.path !== config.resourcePath) throw new NotFoundError(`No route for ${c.req.method} ${c.req.path}.`);
    const seen: RequestObservation = {};
    c.set("seen", seen);
    return handleMcp(c.req.raw, c.env, config, seen);
  });

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
      response = failureResponse(error, config, scopes, seen, " (backend entrypoint)");
    }
    const audit = auditFor(env);
    if (audit !== undefined) await writeRequestAudit(audit, o.name, request, response, seen, started, "gateway");
    return response;
  }

  return {
    fetch: (request, env, ctx) => inRequest(ctx, () => Promise.resolve(app.fetch(request, env, ctx))),
    McpSession: createSessionClass<Env>(identity, scopes, modern),
    McpBackend: createBackendEntrypoint<Env>({ serve: serveVerified, health: async (env) => ({ ...(await healthOf(readConfig(env), env, options.healthDetail)) }) }),
  };
}
