import { enforceBudget, type InterceptFn } from "@edge-mcp/server";
import { CLIENT_CAPABILITIES_META_KEY } from "@modelcontextprotocol/server";
import { backendBudgetKey } from "./backend-target.ts";
import type { Catalog } from "./catalog.ts";
import type { GatewayInstance } from "./gateway-instance.ts";
import { capabilitiesForBackend } from "./client-capabilities.ts";
import { allowedTools, backendDown, scopesOf } from "./gateway-tools.ts";
import { BackendUnavailableError, sendToBackend } from "./relay.ts";
import { withGatewayServerInfo, type ServerInfo } from "./restamp-server-info.ts";
import { factsOf } from "./policy.ts";
import { RouteCache } from "./route-cache.ts";
import type { RulesStore } from "./rules-store.ts";

/** The call's params with the client's capabilities as a backend may see them (`capabilitiesForBackend`). */
function forBackend(params: Record<string, unknown>): Record<string, unknown> {
  const meta = params._meta as Record<string, unknown> | undefined;
  if (meta === undefined || meta[CLIENT_CAPABILITIES_META_KEY] === undefined) return params;
  return { ...params, _meta: { ...meta, [CLIENT_CAPABILITIES_META_KEY]: capabilitiesForBackend(meta[CLIENT_CAPABILITIES_META_KEY] as Record<string, unknown>) } };
}

/** Response headers passed from the backend to the client: the body's type, nothing that names the backend. */
const PASSED_HEADERS = ["content-type", "cache-control"];

export interface ForwarderDeps {
  /** The gateway for an env: its limits, catalog and backends (gateway-instance.ts). */
  readonly gatewayFor: (env: Record<string, unknown>) => GatewayInstance;
  readonly rules: RulesStore;
  /** The gateway's own name and version: the serverInfo its results carry, not the backend's. */
  readonly serverInfo: ServerInfo;
}

/**
 * MCP 2026-07-28 `tools/call`, relayed as it is: the request is stateless and self-describing
 * (`_meta` envelope, the client's capabilities, progressToken, MRTR `requestState` and
 * `inputResponses`), so the gateway renames the tool, checks the caller's scopes and rate limits
 * (`authorize`), and sends the same request to the backend on behalf of the verified caller; the
 * backend's answer — its SSE stream with progress, or its JSON — flows back unparsed. An MRTR
 * state is the backend's own, signed and bound to this caller and tool by the backend, and
 * verified there on the retry. Names the caller may not use fall through to the SDK path, which
 * answers them exactly as unknown tools.
 */
export function createCallForwarder(deps: ForwarderDeps): InterceptFn<Record<string, unknown>> {
  // One route cache per catalog (per env): a table is valid only for the lists it was built from.
  const routeCaches = new WeakMap<Catalog, RouteCache>();
  return async ({ env, caller, claims, message, url, headers, signal, authorize, relayedTo, refusedBy }) => {
    const params = (message.params ?? {}) as Record<string, unknown>;
    if (message.method !== "tools/call" || typeof params.name !== "string") return undefined;
    // MCP 2026-07-28 §Standard headers: Mcp-Method and Mcp-Name must agree with the body. A request
    // whose headers do not (or name the tool Base64-encoded) is not relayed as it is: the SDK path
    // checks it like every server does (-32020 HeaderMismatch, with the request's id), and serves it.
    if (headers.get("mcp-method") !== "tools/call" || headers.get("mcp-name")?.trim() !== params.name) return undefined;
    const { snapshot } = await deps.rules.readFrom(env);
    const { config, catalog, targets } = deps.gatewayFor(env);
    let routes = routeCaches.get(catalog);
    if (routes === undefined) routeCaches.set(catalog, (routes = new RouteCache(catalog)));
    const { policy, tools } = await allowedTools(catalog, targets, snapshot.rules, factsOf(caller, claims), caller, { memo: { cache: routes, rulesVersion: snapshot.version }, only: params.name });
    const offered = tools.get(params.name);
    // Answered by the SDK path exactly as an unknown tool; recorded as the rules' refusal.
    if (offered === undefined) return void refusedBy("rule");
    const { target, tool } = offered;
    // A 2025-era backend cannot take a 2026-07-28 request as it is: the gateway's MCP server translates.
    // A remote backend binds its MRTR state to the gateway's credential at most, not to this user: its
    // calls take the SDK path, where the gateway wraps the state in its own, bound to the caller.
    if (target.era === "legacy" || target.kind === "remote") return undefined;
    await authorize(scopesOf(tool));
    // The backend's own budget at the gateway (all callers together): 429 with Retry-After when spent.
    if (target.rateLimit !== undefined) await enforceBudget(env, backendBudgetKey(target.name, caller.subject), target.rateLimit);

    // The one request built for the backend (the headers are this call's own copy, credentials already gone).
    headers.set("mcp-name", tool.name);
    const forwarded = new Request(url, { method: "POST", headers, body: JSON.stringify({ ...message, params: forBackend({ ...params, name: tool.name }) }) });
    // The request's own audit line names the backend: one gateway line per call (caller, backend, tool).
    try {
      const response = await sendToBackend(target, forwarded, { subject: caller.subject, clientId: caller.clientId, scopes: policy.scopes }, signal, config.limits.backendTimeoutMs);
      // An edge-mcp backend answers errors in JSON-RPC; anything else came from the platform (no such worker, a crash).
      if (!response.ok && !(response.headers.get("content-type") ?? "").includes("json")) {
        await response.body?.cancel();
        throw new BackendUnavailableError(target.name, "unreachable", `HTTP ${response.status}`);
      }
      relayedTo(target.name, !response.ok);
      const passed = new Headers();
      for (const name of PASSED_HEADERS) {
        const value = response.headers.get(name);
        if (value !== null) passed.set(name, value);
      }
      const type = response.headers.get("content-type") ?? "";
      return new Response(withGatewayServerInfo(response.body, type, message.id, deps.serverInfo), { status: response.status, headers: passed });
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) throw error;
      relayedTo(target.name, true);
      const result = { ...backendDown(error, catalog), resultType: "complete" };
      return Response.json({ jsonrpc: "2.0", id: message.id, result }, { headers: { "cache-control": "no-store" } });
    }
  };
}
