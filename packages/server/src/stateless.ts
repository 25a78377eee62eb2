import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server";
import { buildServer, type ServerIdentity } from "./build-server.ts";
import { toAuthInfo, type CallerIdentity } from "./caller.ts";
import { methodOf, type ParsedMessages } from "./jsonrpc.ts";
import { checkBeforeDispatch } from "./dispatch-checks.ts";

/**
 * Stateless mode: no session, no Durable Object — a fresh server and transport per request,
 * with the same auth, scope and input checks as stateful mode.
 */
export async function handleStateless<Env>(
  identity: ServerIdentity<Env>,
  env: Env,
  request: Request,
  parsed: ParsedMessages,
  caller: CallerIdentity,
): Promise<Response> {
  const { server, toolScopes } = await buildServer(identity, { env, transport: "stateless", era: "legacy", caller, ...methodOf(parsed) });
  await checkBeforeDispatch(identity, env, caller, parsed.messages, toolScopes);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: identity.jsonResponse ?? false });
  await server.connect(transport);
  return transport.handleRequest(request, { parsedBody: parsed.raw, authInfo: toAuthInfo(caller) });
}
