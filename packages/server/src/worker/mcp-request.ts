import { extractBearerToken } from "@edge-mcp/auth";
import { AUTH_DISABLED_CALLER, callerFrom, type CallerIdentity } from "../base/caller.ts";
import type { ServerConfig } from "../base/config.ts";
import { SERVER_DEFAULTS } from "../base/defaults.ts";
import { MethodNotAllowedError } from "../base/errors.ts";
import { rpcIdOf } from "../http/error-response.ts";
import { eraOf, type Era } from "../http/era.ts";
import { batchesAllowed, checkProtocolVersion, messagesFrom, methodOf, parseJson, type ParsedMessages } from "../http/jsonrpc.ts";
import type { Tracer } from "../base/tracer.ts";
import { checkBeforeAuth } from "../http/pre-auth-checks.ts";
import { readBodyWithLimit } from "../http/read-body.ts";
import type { tokenVerifiers } from "../http/token-verifiers.ts";
import { routeToSession, withoutCredentials } from "../legacy/legacy-sessions.ts";
import { handleStateless } from "../legacy/stateless.ts";
import type { ServerIdentity } from "../mcp/build-server.ts";
import type { ServerSource } from "../mcp/server-source.ts";
import { interceptedRequest, type InterceptFn } from "../modern/intercept.ts";
import type { createModernEra } from "../modern/modern-era.ts";
import { describeMessages, traceIdOfMessages, type RequestObservation } from "../policy/request-audit.ts";
import { withSubjectToken } from "../apis/subject-token.ts";

type VerifierSource = ReturnType<typeof tokenVerifiers>;

/** What the MCP endpoint serves with (create-mcp-worker.ts builds it once). */
export interface McpRequestDeps<Env> {
  readonly identity: ServerIdentity<Env>;
  readonly transport: "stateful" | "stateless";
  readonly modern: ReturnType<typeof createModernEra<Env>>;
  readonly legacyServers: ServerSource<Env>;
  readonly verifierFor: VerifierSource;
  readonly intercept?: InterceptFn<Env>;
}

/**
 * The MCP endpoint's pipeline, in the order of the MCP authorization and transport specs:
 * method, Content-Type, declared size (http/pre-auth-checks.ts) → bearer token → body → era →
 * 2026-07-28 (modern/) or 2025 (legacy/: stateless, or the session object).
 */
export function createMcpRequestHandler<Env extends object>({ identity, transport, modern, legacyServers, verifierFor, intercept }: McpRequestDeps<Env>) {
  /**
   * One MCP request, from the method check to dispatch. `verified` is the caller a gateway
   * already verified (backend entrypoint): then no token is read and no Origin applies (no browser
   * reaches a service binding); everything from the protocol version on is the same. What the
   * request turns out to be (caller, era, methods, id) is noted in `seen` as soon as it is known,
   * for its audit line and for the id of an error answer.
   */
  const handleMcp = async function handleMcp(request: Request, env: Env, config: ServerConfig, seen: RequestObservation, verified?: CallerIdentity): Promise<Response> {
    const observe = (caller: CallerIdentity, messages?: ParsedMessages["messages"], era?: Era) => {
      seen.caller = caller;
      if (era !== undefined) seen.era = era;
      if (messages !== undefined) {
        seen.rpc = describeMessages(messages);
        seen.rpcId = rpcIdOf(messages);
        const traceId = traceIdOfMessages(messages);
        if (traceId !== undefined) seen.traceId = traceId;
      }
    };
    checkBeforeAuth(request, transport);
    const { tracer } = identity;
    const caller = verified ?? (await tracer.enterSpan("mcp.authenticate", () => authenticate(verifierFor, request, env, config)));
    observe(caller);
    // The caller's own token, for token exchanges only (tools calling declared APIs as the user).
    const subjectToken = verified === undefined && (env as { MCP_APIS?: unknown }).MCP_APIS !== undefined && !config.auth.disabled ? await extractBearerToken(request) : undefined;
    return withSubjectToken(subjectToken, () => dispatch(request, env, config, seen, caller, observe));
  };

  /** Everything after authentication: the body, the era, and the request served by its era. */
  async function dispatch(request: Request, env: Env, config: ServerConfig, seen: RequestObservation, caller: CallerIdentity, observe: (caller: CallerIdentity, messages?: ParsedMessages["messages"], era?: Era) => void): Promise<Response> {
    const method = request.method;
    const { tracer } = identity;
    const body = method === "POST" ? await readBodyWithLimit(request, SERVER_DEFAULTS.maxBodyBytes) : undefined;
    const json = body === undefined ? undefined : parseJson(body);
    if ((await eraOf(request, json)) === "modern") {
      if (method !== "POST") throw new MethodNotAllowedError("POST", `${method} is not part of MCP 2026-07-28, which has no sessions or standing streams: POST requests only.`);
      const parsed = messagesFrom(json, { allowBatch: false });
      observe(caller, parsed.messages, "modern");
      const only = parsed.messages[0];
      if (intercept !== undefined && only !== undefined && "method" in only && "id" in only) {
        // Its own span: a gateway relaying the call to a backend (the hop's subrequest nests in it).
        const answered = await tracer.enterSpan("mcp.intercept", (span) => (span.setAttribute("mcp.method", only.method), intercept(interceptedRequest(identity, env, caller, only, request, withoutCredentials(request.headers), body ?? "", seen))));
        if (answered !== undefined) return answered;
      }
      return dispatchSpan(tracer, "modern", parsed, () => modern.serve(rebuild(request, body), env, json, parsed, caller));
    }
    checkProtocolVersion(request);
    const parsed = json === undefined ? undefined : messagesFrom(json, { allowBatch: batchesAllowed(request) });
    if (parsed !== undefined) observe(caller, parsed.messages, "legacy");
    if (transport === "stateless") return dispatchSpan(tracer, "legacy", parsed, () => handleStateless(identity, legacyServers, env, rebuild(request, body), parsed!, caller));
    return dispatchSpan(tracer, "legacy", parsed, () => routeToSession(request, env, config, caller, parsed, body));
  }
  return handleMcp;
}

/** Dispatch as its own span: the era and the method (for one message), never arguments. */
function dispatchSpan<T>(tracer: Tracer, era: Era, parsed: ParsedMessages | undefined, dispatch: () => T): T {
  return tracer.enterSpan("mcp.dispatch", (span) => {
    span.setAttribute("mcp.era", era);
    const method = parsed === undefined ? undefined : methodOf(parsed).method;
    if (method !== undefined) span.setAttribute("mcp.method", method);
    return dispatch();
  });
}

/** The verified caller of a request: its bearer token checked by the verifier for this config (auth off: the dev caller). */
export async function authenticate<Env extends object>(verifierFor: VerifierSource, request: Request, env: Env, config: ServerConfig): Promise<CallerIdentity> {
  const verifier = verifierFor(config, env as object);
  if (verifier === undefined) return AUTH_DISABLED_CALLER;
  return callerFrom(await verifier.verify(await extractBearerToken(request)));
}

/** The request for a stateless transport: body already read (and bounded), credentials gone. */
function rebuild(request: Request, body: string | undefined): Request {
  return new Request(request.url, {
    method: request.method,
    headers: withoutCredentials(request.headers),
    ...(body === undefined ? {} : { body }),
  });
}
