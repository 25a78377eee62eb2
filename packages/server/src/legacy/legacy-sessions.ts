import type { CallerIdentity } from "../base/caller.ts";
import { CALLER_HEADER, encodeCaller } from "../base/caller.ts";
import { currentSubjectToken, SUBJECT_TOKEN_HEADER } from "../apis/subject-token.ts";
import type { ServerConfig } from "../base/config.ts";
import { SERVER_DEFAULTS, SESSION_BINDING } from "../base/defaults.ts";
import { rpcIdOf } from "../http/error-response.ts";
import { BodyTooLargeError, InvalidJsonRpcRequestError, SessionNotFoundError, SessionRequiredError } from "../base/errors.ts";
import type { ParsedMessages } from "../http/jsonrpc.ts";
import { isWellFormedSessionId, newSessionId } from "../base/session-id.ts";
import { admitSession, sessionNamespaceOf } from "../base/session-registry.ts";

/** Internal header: the new session id, set by the Worker on `initialize` only. */
export const NEW_SESSION_HEADER = "x-edge-mcp-new-session";
/** Internal header: the JSON-RPC id the Worker read from the body (JSON), for errors answered before the object parses it. */
export const RPC_ID_HEADER = "x-edge-mcp-rpc-id";

/** Never handed to tool code (which sees request headers): credentials and our internal headers. */
const STRIPPED_HEADERS = ["authorization", "cookie", CALLER_HEADER, NEW_SESSION_HEADER, RPC_ID_HEADER, SUBJECT_TOKEN_HEADER];

/** A copy of the headers without credentials: MCP forbids token passthrough, so tools never see it. */
export function withoutCredentials(source: Headers): Headers {
  const headers = new Headers(source);
  for (const name of STRIPPED_HEADERS) headers.delete(name);
  return headers;
}

/**
 * A 2025-era request to a stateful server, routed to its session's Durable Object: `initialize`
 * opens a new session (256-bit id, admitted under the subject's session cap); anything else needs
 * a well-formed `Mcp-Session-Id` (400 without, 404 unknown). The object gets the verified caller,
 * never the credentials, and checks the session's binding itself.
 */
export async function routeToSession(request: Request, env: object, config: ServerConfig, caller: CallerIdentity, parsed: ParsedMessages | undefined, body: string | undefined): Promise<Response> {
  const namespace = sessionNamespaceOf(env);
  if (namespace === undefined) throw new TypeError(`A stateful MCP worker needs the ${SESSION_BINDING} Durable Object binding.`);
  const presented = request.headers.get("mcp-session-id");
  const headers = withoutCredentials(request.headers);
  headers.set(CALLER_HEADER, encodeCaller(caller, { claims: true }));
  // Token exchanges in the session's tools need the caller's token: to this Worker's own object only.
  const subjectToken = currentSubjectToken();
  if (subjectToken !== undefined) headers.set(SUBJECT_TOKEN_HEADER, subjectToken);
  const id = rpcIdOf(parsed?.messages);
  if (id !== null) headers.set(RPC_ID_HEADER, JSON.stringify(id));
  let sessionId: string;
  if (parsed?.isInitialize) {
    if (presented !== null) throw new InvalidJsonRpcRequestError("Invalid Request: initialize must not carry an Mcp-Session-Id.");
    // The initialize is stored for the session's life (replayed after eviction): bounded.
    if (body!.length > SERVER_DEFAULTS.maxInitializeBytes) throw new BodyTooLargeError(`An initialize request may be at most ${SERVER_DEFAULTS.maxInitializeBytes} bytes.`);
    sessionId = newSessionId();
    headers.set(NEW_SESSION_HEADER, sessionId);
    await admitSession(namespace, caller.subject, sessionId, config.maxSessionsPerSubject);
  } else {
    if (presented === null) throw new SessionRequiredError("Bad Request: Mcp-Session-Id header is required; send initialize first.");
    if (!isWellFormedSessionId(presented)) throw new SessionNotFoundError();
    sessionId = presented;
  }
  const stub = namespace.get(namespace.idFromName(sessionId));
  return stub.fetch(request.url, { method: request.method, headers, ...(body === undefined ? {} : { body }) });
}
