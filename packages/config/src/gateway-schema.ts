import { z } from "zod";

/**
 * `workers/gateway/gateway.json`: the backends an edge-mcp gateway aggregates and the rules
 * deciding who may use which of their tools. Deny by default: a caller no rule matches sees
 * nothing. The rules part is pushed to the gateway's KV namespace by `npm run provision`, so it
 * changes without a redeploy; backends are bindings, fixed at deploy.
 */

/** A backend's name: the prefix of its tools (`{backend}__{tool}`); the fleet server's slug for fleet backends. */
export const BackendNameSchema = z.string().max(40).regex(/^[a-z][a-z0-9-]*$/, "must be lowercase letters, digits and dashes, starting with a letter");

/** `server.tool` with `*` wildcards (`notes.*`, `*.read_*`), or `!server.tool` to deny. */
export const ToolPatternSchema = z
  .string()
  .max(200)
  .regex(/^!?[a-z*][a-z0-9*-]*\.[A-Za-z0-9_*.\-/]+$/, 'must be "server.tool" with * wildcards, optionally prefixed by ! to deny');

const EnvName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, "must be an UPPER_SNAKE_CASE binding or secret name");

/** A budget of calls to one backend per window, across every caller (protects the backend). */
const BackendRateLimit = z.strictObject({ requests: z.number().int().positive(), windowSeconds: z.number().int().positive().max(86_400) });

export const BackendSchema = z.union([
  z.strictObject({
    /** A fleet server, called through a service binding to its `McpBackend` entrypoint (never the internet). */
    service: z.string().regex(/^[a-z][a-z0-9-]*$/, "must be a Worker name"),
    /** The binding name in the gateway's wrangler.toml (default: the backend name in UPPER_SNAKE_CASE). */
    binding: EnvName.optional(),
    /** Calls the gateway sends this backend per window, all callers together. */
    rateLimit: BackendRateLimit.optional(),
  }),
  z.strictObject({
    /** A remote Streamable HTTP MCP server (either protocol era), https only. */
    url: z.url({ protocol: /^https$/, error: "must be an https URL" }),
    /** The Worker secret holding this backend's credential, sent as `Authorization: Bearer …` (never a user's token). */
    credentialSecret: EnvName.optional(),
    /**
     * Reach it as each user instead: the name of a first-party API in the gateway's mcp.json `apis`
     * whose audience is this backend — the gateway sends a token exchanged on the caller's behalf
     * (RFC 8693) for it. 2026-07-28 backends only; not with `credentialSecret`.
     */
    asUser: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/).optional(),
    /** The protocol revision the server speaks: 2026-07-28 (stateless), or a 2025 revision (the gateway keeps a session). */
    protocol: z.enum(["2026-07-28", "2025-11-25", "2025-06-18"]).default("2026-07-28"),
    /** Calls the gateway sends this backend per window, all callers together. */
    rateLimit: BackendRateLimit.optional(),
  }),
]);

export const RuleSchema = z.strictObject({
  /** A label for audit and docs. */
  name: z.string().max(100).optional(),
  /** Who the rule applies to: every condition given must hold. */
  when: z
    .strictObject({
      /** The token's `sub`, exactly (one or a list). */
      sub: z.union([z.string().min(1).max(256), z.array(z.string().min(1).max(256)).min(1).max(1000)]).optional(),
      /** A claim of the token (e.g. Auth0 `permissions`, or a namespaced roles claim): equal to, or an array including, `includes`. */
      claim: z.strictObject({ name: z.string().min(1).max(256), includes: z.string().min(1).max(256) }).optional(),
      /** A scope the token carries. */
      scope: z.string().min(1).max(128).optional(),
    })
    .refine((w) => w.sub !== undefined || w.claim !== undefined || w.scope !== undefined, "needs at least one of sub, claim, scope"),
  /** Tool patterns: `notes.*` allows, `!notes.delete_note` denies (a deny in any matching rule wins). */
  allow: z.array(ToolPatternSchema).max(200).default([]),
  /** Prompt patterns (`server.prompt`, by the prompt's name), with the same allow / `!` deny logic as tools. */
  prompts: z.array(ToolPatternSchema).max(200).optional(),
  /** Resource patterns (`server.name`, by the resource's or template's name), with the same allow / `!` deny logic as tools. */
  resources: z.array(ToolPatternSchema).max(200).optional(),
  /** Narrows the scopes passed to backends to these (intersected with the token's). Default: the token's scopes. */
  scopes: z.array(z.string().min(1).max(128)).max(50).optional(),
}).refine((r) => r.allow.length + (r.prompts?.length ?? 0) + (r.resources?.length ?? 0) > 0, "needs at least one pattern in allow, prompts or resources");

export const GatewayRulesSchema = z.strictObject({
  rules: z.array(RuleSchema).max(1000),
  /** Exposed names for tools: `"notes.add_note": "add_note"` (unique, not of the `{backend}__` form). */
  aliases: z.record(z.string().regex(/^[a-z][a-z0-9-]*\.[A-Za-z0-9_.\-/]+$/), z.string().regex(/^[A-Za-z0-9_.\-/]{1,128}$/)).default({}),
});

export const GatewayConfigSchema = GatewayRulesSchema.extend({
  $schema: z.string().optional(),
  backends: z.record(BackendNameSchema, BackendSchema).refine((b) => Object.keys(b).length > 0, "needs at least one backend"),
  /** Per-backend limits. */
  limits: z
    .strictObject({
      /** A backend slower than this is left out of a listing (and a call to it fails), in milliseconds. */
      backendTimeoutMs: z.number().int().min(100).max(60_000).default(3_000),
      /** Longest time a backend's list is cached even if it allows more, in milliseconds. */
      maxListCacheMs: z.number().int().min(0).max(3_600_000).default(300_000),
      /** How often the gateway re-reads its rules from KV, in milliseconds (KV itself is eventually consistent, ~60 s). */
      rulesRefreshMs: z.number().int().min(100).max(600_000).default(10_000),
    })
    .prefault({}),
});

export type GatewayConfig = z.output<typeof GatewayConfigSchema>;
export type GatewayRules = z.output<typeof GatewayRulesSchema>;
export type GatewayRule = z.output<typeof RuleSchema>;
export type GatewayBackend = z.output<typeof BackendSchema>;
