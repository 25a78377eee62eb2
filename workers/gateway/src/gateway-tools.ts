import type { GatewayConfig } from "@edge-mcp/config";
import { enforceBudget, parseTraceParent, RateLimitedError, TOOL_SCOPES_META_KEY, type CallerIdentity, type EdgeMcpServer, type EdgeRequestExtra, type SetupContext } from "@edge-mcp/server";
import { LOG_LEVEL_META_KEY, ProtocolError, TRACEPARENT_META_KEY, type CallToolResult, type InputRequiredResult, type Tool } from "@modelcontextprotocol/server";
import { backendBudgetKey, type BackendTarget } from "./backend-target.ts";
import type { Catalog } from "./catalog.ts";
import type { RouteCache } from "./route-cache.ts";
import { NAME_SEPARATOR, routingTable } from "./naming.ts";
import { registerGatewayPromptsAndResources } from "./gateway-resources.ts";
import { passthroughSchema } from "./passthrough-schema.ts";
import { factsOf, policyFor, type Policy } from "./policy.ts";
import { BackendUnavailableError, relay } from "./relay.ts";

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;
const DEFAULT_SCOPES = ["tools.read"];

/** The scopes a backend tool says it needs (edge-mcp servers advertise them in `_meta`), else `tools.read`. */
export function scopesOf(tool: Tool): string[] {
  const advertised = tool._meta?.[TOOL_SCOPES_META_KEY];
  return Array.isArray(advertised) && advertised.length > 0 && advertised.every((s) => typeof s === "string" && SCOPE_TOKEN.test(s)) ? advertised : DEFAULT_SCOPES;
}

/** What a gateway tool carries through an MRTR round: the backend it belongs to and that backend's own requestState. */
interface RoundState {
  readonly backend: string;
  readonly state?: string;
}

export interface GatewayTools {
  readonly config: GatewayConfig;
  readonly catalog: Catalog;
}

/**
 * The backends that could own a gateway name: the one its `{backend}__` prefix names (backend
 * names have no underscores, so the first `__` ends it) and those whose aliases give that name.
 * Every tool that can be exposed under the name comes from one of these, so a lookup over them
 * alone sees every clash the full table would.
 */
function backendsNaming(name: string, aliases: Readonly<Record<string, string>>): Set<string> {
  const owners = new Set<string>();
  const end = name.indexOf(NAME_SEPARATOR);
  if (end > 0) owners.add(name.slice(0, end));
  for (const [key, alias] of Object.entries(aliases)) if (alias === name) owners.add(key.slice(0, key.indexOf(".")));
  return owners;
}

/** A backend tool as the gateway offers it. */
export interface OfferedTool {
  readonly target: BackendTarget;
  readonly tool: Tool;
}

/**
 * The tools one caller may use, by gateway name: every backend the rules reach is listed (from
 * the cache when it can be), each tool the rules allow kept under its gateway name. The one
 * table both the listing and the call path read, so they can never disagree.
 */
export async function allowedTools(
  catalog: Catalog,
  targets: ReadonlyMap<string, BackendTarget>,
  rules: Parameters<typeof policyFor>[0],
  facts: Parameters<typeof policyFor>[1],
  caller: CallerIdentity,
  options: { readonly memo?: { readonly cache: RouteCache; readonly rulesVersion: string }; readonly only?: string } = {},
): Promise<{ policy: Policy; tools: ReadonlyMap<string, OfferedTool> }> {
  const { memo, only } = options;
  const policy = policyFor(rules, facts);
  const key = memo?.cache.keyFor(memo.rulesVersion, caller, policy, only);
  const remembered = key === undefined ? undefined : memo!.cache.get(key);
  if (remembered !== undefined) return { policy, tools: remembered };
  // Looking up one name needs only the backends that could own it: a slow backend elsewhere never delays the call.
  const owners = only === undefined ? undefined : backendsNaming(only, rules.aliases);
  const reachable = [...targets.values()].filter((t) => policy.reaches(t.name) && (owners === undefined || owners.has(t.name)));
  const tools = new Map<string, OfferedTool>();
  if (reachable.length === 0) return { policy, tools };
  const generation = catalog.generation;
  const lists = await catalog.toolsOf(reachable, caller);
  const byName = new Map<string, OfferedTool>();
  for (const [backend, list] of lists) {
    for (const tool of list) {
      // A tool the rules' scope ceiling could never let through is not offered.
      if (policy.allows(backend, tool.name) && policy.permits(scopesOf(tool))) byName.set(`${backend}\u0000${tool.name}`, { target: targets.get(backend)!, tool });
    }
  }
  for (const [exposed, route] of routingTable([...byName.values()].map(({ target, tool }) => ({ backend: target.name, tool: tool.name })), rules.aliases)) {
    tools.set(exposed, byName.get(`${route.backend}\u0000${route.tool}`)!);
  }
  if (key !== undefined) memo!.cache.set(key, tools, generation, lists.size === reachable.length);
  return { policy, tools };
}

/**
 * Registers, for one request, the tools this caller may use: every backend the rules reach is
 * listed (cached), each allowed tool is registered under its gateway name with the backend's
 * scopes. A tool the caller may not use is not registered at all, so calling it by name gets the
 * same -32602 "unknown tool" as a name that never existed (no existence leak).
 */
export async function registerGatewayTools(
  mcp: EdgeMcpServer,
  ctx: SetupContext<unknown>,
  gateway: GatewayTools,
  targets: ReadonlyMap<string, BackendTarget>,
  rules: Parameters<typeof policyFor>[0],
): Promise<void> {
  const caller = ctx.caller;
  // A tools/call needs only the backends that could own the name it calls.
  const only = ctx.method === "tools/call" ? ctx.target : undefined;
  const { policy, tools } = await allowedTools(gateway.catalog, targets, rules, factsOf(caller, ctx.claims), caller, only === undefined ? {} : { only });
  // A request that cannot use prompts or resources does not pay for listing them.
  const method = ctx.method;
  if (method === undefined || /^(prompts|resources|completion)\//.test(method)) {
    await registerGatewayPromptsAndResources(mcp, gateway.catalog, targets, policy, caller, gateway.config.limits.backendTimeoutMs);
  }
  if (method !== undefined && !method.startsWith("tools/")) return;
  for (const [exposed, { target, tool }] of tools) {
    const { [TOOL_SCOPES_META_KEY]: _scopes, ...meta } = tool._meta ?? {};
    mcp.tool(
      exposed,
      {
        ...(tool.title === undefined ? {} : { title: tool.title }),
        ...(tool.description === undefined ? {} : { description: tool.description }),
        ...(tool.annotations === undefined ? {} : { annotations: tool.annotations }),
        inputSchema: passthroughSchema(tool.inputSchema as Record<string, unknown>),
        ...(tool.outputSchema === undefined ? {} : { outputSchema: passthroughSchema(tool.outputSchema as Record<string, unknown>) }),
        _meta: meta,
        scopes: scopesOf(tool),
        audit: { backend: target.name },
      },
      (args, extra) => callBackendTool(target, tool.name, args, extra, { policy, caller, catalog: gateway.catalog, timeoutMs: gateway.config.limits.backendTimeoutMs, env: ctx.env as object }),
    );
  }
}

/** One tools/call relayed to its backend: progress and log notifications stream back, MRTR rounds pass through. */
async function callBackendTool(
  target: BackendTarget,
  name: string,
  args: Record<string, unknown>,
  extra: EdgeRequestExtra,
  { policy, caller, catalog, timeoutMs, env }: { policy: Policy; caller: CallerIdentity; catalog: Catalog; timeoutMs: number; env: object },
): Promise<CallToolResult | InputRequiredResult> {
  if (target.rateLimit !== undefined) {
    try {
      await enforceBudget(env, backendBudgetKey(target.name, caller.subject), target.rateLimit);
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      return { isError: true, content: [{ type: "text", text: `Backend "${target.name}" is busy: ${error.message}` }] };
    }
  }
  const round = extra.requestState.read<RoundState>();
  const params: Record<string, unknown> = { name, arguments: args };
  if (extra.mcpReq.inputResponses !== undefined) params.inputResponses = extra.mcpReq.inputResponses;
  if (round?.backend === target.name && round.state !== undefined) params.requestState = round.state;
  const envelope = (extra.mcpReq.envelope ?? {}) as Record<string, unknown>;
  const meta: Record<string, unknown> = { ...extra._meta };
  if (envelope[LOG_LEVEL_META_KEY] !== undefined) meta[LOG_LEVEL_META_KEY] = envelope[LOG_LEVEL_META_KEY];
  // A 2025 client sends trace context as an HTTP header (no _meta envelope): a valid one goes on to
  // the backend in _meta, as a 2026-07-28 client's would, so the backend's lines join its trace.
  const traceparent = extra.http?.req?.headers.get("traceparent");
  if (meta[TRACEPARENT_META_KEY] === undefined && parseTraceParent(traceparent) !== undefined) meta[TRACEPARENT_META_KEY] = traceparent!.trim();
  try {
    const outcome = await relay(target, {
      method: "tools/call",
      params,
      meta,
      // What the client declared (its request's _meta, or its 2025 session's initialize): the
      // backend asks only for input the client can give.
      clientCapabilities: (extra.clientCapabilities as Record<string, unknown> | undefined) ?? {},
      caller: { subject: caller.subject, clientId: caller.clientId, scopes: policy.scopes },
      signal: extra.signal,
      timeoutMs,
      onNotification: (notification) => extra.sendNotification(notification as never),
    });
    if (outcome.kind === "error") throw new ProtocolError(outcome.code, outcome.message, outcome.data);
    const { resultType, requestState, ttlMs: _ttl, cacheScope: _scope, _meta, ...result } = outcome.result;
    // The backend's own envelope keys (its serverInfo) stay behind: the gateway is the server here.
    const resultMeta = Object.fromEntries(Object.entries((_meta ?? {}) as Record<string, unknown>).filter(([key]) => !key.startsWith("io.modelcontextprotocol/")));
    if (Object.keys(resultMeta).length > 0) result._meta = resultMeta;
    if (resultType === "input_required") {
      // The backend's state rides inside the gateway's own signed state, bound to this caller and
      // call. A 2026-07-28 client answers the input requests and retries; in a 2025 session the SDK
      // sends them to the client as elicitation / sampling requests and runs this handler again
      // with the answers — the next round relayed to the backend like this one.
      const state = await extra.requestState.mint({ backend: target.name, ...(typeof requestState === "string" ? { state: requestState } : {}) } satisfies RoundState);
      return { ...result, resultType: "input_required", requestState: state } as InputRequiredResult;
    }
    return result as CallToolResult;
  } catch (error) {
    if (!(error instanceof BackendUnavailableError)) throw error;
    return backendDown(error, catalog);
  }
}

/**
 * A call its backend could not answer (down, hanging, broken): its cached lists are dropped, so
 * the next listing leaves it out until it answers again, and the caller gets a tool error naming
 * the backend — never the backend's own error text.
 */
export function backendDown(error: BackendUnavailableError, catalog: Catalog): CallToolResult {
  catalog.invalidate(error.backend);
  return { isError: true, content: [{ type: "text", text: `${error.message}. Try again later.` }] };
}
