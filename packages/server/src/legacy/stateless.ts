import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server";
import { toAuthInfo, type CallerIdentity } from "../base/caller.ts";
import { methodOf, type ParsedMessages } from "../http/jsonrpc.ts";
import { checkBeforeDispatch } from "../policy/dispatch-checks.ts";
import type { ServerIdentity } from "../mcp/build-server.ts";
import type { ServerSource } from "../mcp/server-source.ts";

/**
 * Stateless mode (2025): no session, no Durable Object — a server per request (reused from the
 * isolate's pool unless `reuse: false`) on a fresh transport, with the same auth, scope and input
 * checks as stateful mode.
 */
export async function handleStateless<Env>(
  identity: ServerIdentity<Env>,
  servers: ServerSource<Env>,
  env: Env,
  request: Request,
  parsed: ParsedMessages,
  caller: CallerIdentity,
): Promise<Response> {
  const lease = await servers.lease(env, caller, methodOf(parsed), parsed.messages.length === 1);
  try {
    const { server, toolScopes } = lease.built;
    await checkBeforeDispatch(identity, env, caller, parsed.messages, toolScopes);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: identity.jsonResponse ?? false });
    await server.connect(transport);
    return await transport.handleRequest(request, { parsedBody: parsed.raw, authInfo: toAuthInfo(caller) });
  } finally {
    lease.settle();
  }
}
