import { GatewayConfigSchema, type GatewayConfig } from "@edge-mcp/config";
import { consoleAuditSink, createMcpWorker, finishAfterAnswer } from "@edge-mcp/server";
import bundledConfig from "../gateway.json" with { type: "json" };
import manifest from "../mcp.json" with { type: "json" };
import { gatewayInstances } from "./gateway-instance.ts";
import { createCallForwarder } from "./forward-call.ts";
import { firstAnswer, refuseUnmatchedListener } from "./listen-guard.ts";
import { factsOf } from "./policy.ts";
import { gatewayEventSources } from "./gateway-events.ts";
import { registerGatewayTools } from "./gateway-tools.ts";
import { RulesStore, rulesVersionDigest } from "./rules-store.ts";

/**
 * gateway-mcp: one MCP endpoint for the fleet. Each caller sees the tools of the backends its
 * rules allow, named `{backend}__{tool}`; calls go to fleet servers over service bindings to their
 * `McpBackend` entrypoint (carrying the verified caller, never the token) and to remote servers
 * with the gateway's own credential. A bad gateway.json fails at startup (and so at
 * `wrangler deploy`), naming the field. docs/gateway.md describes the whole.
 */
const config = parseBundledConfig(bundledConfig);

/**
 * gateway.json as deployed. `npm run dev` and the provisioner check it first (with the fleet), so
 * this fails only for a config that bypassed them: then the worker fails to start (and so `wrangler
 * deploy` fails) with the file, each bad field's path and what to do — never an anonymous ZodError.
 */
function parseBundledConfig(json: unknown): GatewayConfig {
  const parsed = GatewayConfigSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"} ${i.message}`).join("; ");
  throw new TypeError(`workers/gateway/gateway.json: ${issues} — fix it (npm run dev and npm run provision check it with the fleet: docs/gateway.md)`);
}

/**
 * The gateway per env: its limits (env overrides), catalog of backends' lists, and backends. A
 * slow backend's list fetch may finish after the request that started it answered (workerd drops
 * a request's pending work once its response is done, unless handed to `waitUntil`).
 */
const gatewayFor = gatewayInstances(config, finishAfterAnswer);
const rules = new RulesStore({ rules: config.rules, aliases: config.aliases }, config.limits.rulesRefreshMs);

type Env = Record<string, unknown>;

/** Who answers at the gateway: its results carry this serverInfo, relayed ones included. */
const SERVER_INFO = Object.freeze({ name: "gateway", version: "1.0.0" });

const worker = createMcpWorker<Env>({
  ...SERVER_INFO,
  // stateful (mcp.json): 2025 clients get sessions, so a backend's elicitation and sampling reach
  // them as server→client requests; setup runs again before each of a session's requests, so the
  // rules (and the caller's current claims) decide every call, as they do for 2026-07-28 requests.
  transport: manifest.transport as "stateful" | "stateless",
  sessionSetup: "per-request",
  // setup decides from the caller's rules (subject, claims) and the request: never reused across callers.
  reuse: false,
  rateLimit: manifest.rateLimit,
  instructions: "One endpoint for the edge-mcp fleet: tools and prompts are named {server}__{name}; you see those your account may use.",
  capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, resources: { listChanged: true } },
  // The listing depends on who asks (their rules): cacheable by that caller only.
  cacheHints: { "tools/list": { ttlMs: 30_000, cacheScope: "private" } },
  audit: consoleAuditSink,
  // For operators only (a token with the operator scope): each backend's state — a slow or down backend
  // shows here, not as a failed listing; a missing binding or secret as misconfigured, with why — and
  // which rules this isolate decides by (read again if due: whether a push to KV took effect).
  healthDetail: async (env) => {
    const { catalog } = gatewayFor(env);
    const backends = Object.fromEntries(Object.keys(config.backends).map((name) => [name, catalog.health(name)]));
    const version = await rules.readFrom(env).then(({ snapshot }) => rulesVersionDigest(snapshot.version), () => null);
    return { backends, rules: { version } };
  },
  // Per listener: only the backends that listener's rules reach are followed, only what they reach is heard.
  eventSources: (env, { caller, claims }) => {
    const { targets, catalog } = gatewayFor(env);
    return gatewayEventSources(targets, catalog, rules, env, config.limits.rulesRefreshMs, factsOf(caller, claims));
  },
  // A listener no rule matches is refused; 2026-07-28 tools/call is relayed to the backend as it is
  // (progress and MRTR pass through unparsed).
  intercept: firstAnswer(refuseUnmatchedListener(rules), createCallForwarder({ gatewayFor, rules, serverInfo: SERVER_INFO })),
  async setup(mcp, ctx) {
    const { snapshot, changed } = await rules.readFrom(ctx.env);
    if (changed) {
      rules.announced(snapshot.version);
      await Promise.all([ctx.notify?.toolsChanged(), ctx.notify?.promptsChanged(), ctx.notify?.resourcesChanged()]);
    }
    const gateway = gatewayFor(ctx.env);
    await registerGatewayTools(mcp, ctx, gateway, gateway.targets, snapshot.rules);
  },
});

export default { fetch: worker.fetch };
export const McpSession = worker.McpSession;
// For the operator console: its health with the backends' detail, through a service binding.
export const McpBackend = worker.McpBackend;
export { McpEventBus, RateLimitCounter } from "@edge-mcp/server";
