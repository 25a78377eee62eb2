import { SCOPE_PROFILES } from "@edge-mcp/auth";
import { z } from "zod";
import { ServerApisSchema } from "./apis-schema.ts";

/** Longest scope name accepted, in characters: Auth0 permission names are bounded, and every scope appears in tokens and headers. */
export const MAX_SCOPE_CHARS = 128;
/** Longest client or client-group key, in characters (it becomes an env var name and Auth0 metadata). */
export const MAX_KEY_CHARS = 40;
const ScopeToken = z.string().max(MAX_SCOPE_CHARS).regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, "must be a scope token (no spaces or quotes)");
const Key = z.string().max(MAX_KEY_CHARS).regex(/^[a-z][a-z0-9-]*$/, "must be lowercase letters, digits and dashes, starting with a letter");
export const ScopeProfileSchema = z.enum(Object.keys(SCOPE_PROFILES) as ["readonly", "standard"]);

/** `npm run dev`'s defaults: ports, and the one-click development user. */
export const DEV_DEFAULTS = Object.freeze({
  /** The local authorization server (the Auth0 stand-in), TCP port. */
  issuerPort: 9400,
  /** The edge OAuth facade under `npm run dev -- --auth facade`, TCP port. */
  facadePort: 9410,
  /** The operator console under `npm run dev`, TCP port. */
  consolePort: 9420,
  /** The third-party provider stand-in (connected accounts) under `npm run dev`, TCP port. */
  thirdPartyPort: 9430,
  user: Object.freeze({ sub: "dev|alice", name: "Alice Developer", email: "alice@example.dev" }),
});

/** A development user of the local authorization server (no password: local development only). */
const DevUserSchema = z.strictObject({ sub: z.string().min(1).max(256), name: z.string().min(1).max(100), email: z.string().email() });

export const AccessPolicySchema = z.strictObject({
  /** Auth0 `subject_type_authorization.user.policy`: who may get user-delegated tokens. */
  user: z.enum(["allow_all", "deny_all", "require_client_grant"]).default("require_client_grant"),
  /** Auth0 `subject_type_authorization.client.policy`: machine-to-machine tokens. */
  client: z.enum(["deny_all", "require_client_grant"]).default("deny_all"),
});

/** `workers/<slug>/mcp.json`: one MCP server. */
export const ServerManifestSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1).max(100),
  /** 1 to 40 characters: it becomes a hostname label (`{slug}-mcp`, ≤ 63) and a Worker name. */
  slug: z.string().max(40).regex(/^[a-z][a-z0-9-]{0,39}$/, "must be lowercase letters, digits and dashes, starting with a letter"),
  description: z.string().max(500).optional(),
  transport: z.enum(["stateful", "stateless"]),
  scopeProfile: ScopeProfileSchema.optional(),
  extraScopes: z.array(z.strictObject({ value: ScopeToken, description: z.string().min(1).max(500) })).max(50).default([]),
  /** Client keys or client-group keys (ecosystem.json) → the scopes they are granted. */
  grants: z.record(Key, z.array(ScopeToken).max(50)).default({}),
  accessPolicy: AccessPolicySchema.partial().optional(),
  /** Requests per window, per user and per client (and a separate budget for tools.write calls). */
  rateLimit: z
    .strictObject({ requests: z.number().int().positive(), writes: z.number().int().positive().optional(), windowSeconds: z.number().int().positive().max(86_400) })
    .optional(),
  /** Durable Object classes the worker exports besides the MCP session (e.g. a per-user store). */
  durableObjects: z
    .array(
      z.strictObject({
        binding: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
        className: z.string().regex(/^[A-Z][A-Za-z0-9]*$/),
        /** The class's previous name, when it was renamed: its objects (and their data) move to the new name (a `renamed_classes` migration). */
        renamedFrom: z.string().regex(/^[A-Z][A-Za-z0-9]*$/).optional(),
      }),
    )
    .default([]),
  /** APIs its tools call as the signed-in user (first-party by audience, third-party by Auth0 connection) — docs/acting-as-the-user.md. */
  apis: ServerApisSchema,
  /** Local development: the port `npm run dev` serves this worker on. */
  dev: z.strictObject({ port: z.number().int().min(1024).max(65535) }),
});

const ClientSchema = z.strictObject({
  name: z.string().min(1).max(100),
  profile: z.enum(["native_interactive", "spa_interactive", "regular_web_interactive", "service_m2m"]),
  callbacks: z.array(z.string().url()).default([]),
  origins: z.array(z.string().url()).default([]),
});

/** Defaults of ecosystem.json `operations`. */
export const OPERATIONS_DEFAULTS = Object.freeze({
  /** The Workers Analytics Engine dataset every server writes its metric points to. */
  metricsDataset: "edge_mcp_calls",
  /** Where in an R2 bucket the Logpush job writes (`{DATE}` is Logpush's own date folder). */
  r2Path: "edge-mcp-audit/{DATE}",
});

/**
 * `operations`: the metrics dataset, and where the audit lines go for good — a Logpush job of the
 * `workers_trace_events` dataset (each worker's console lines) to an R2 bucket or an HTTPS
 * endpoint (a SIEM's collector). The destination's credentials stay in .env, never here.
 */
export const OperationsSchema = z.strictObject({
  metricsDataset: z.string().regex(/^[A-Za-z0-9_]{1,64}$/, "must be letters, digits and underscores (at most 64)").default(OPERATIONS_DEFAULTS.metricsDataset),
  /**
   * OTLP destinations every worker exports its traces to (created in the Cloudflare dashboard or
   * API; rendered into `[observability.traces] destinations`), and the share of requests traced.
   */
  traceDestinations: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "must be a destination's name (lowercase letters, digits, dashes)")).max(10).default([]),
  traceSampleRate: z.number().min(0).max(1).default(1),
  /**
   * The operator console (workers/console) as part of the fleet: the provisioner creates its
   * Auth0 API (the operator scope) and application, and renders its wrangler.toml on `host`
   * (default `console.{base_domain}`).
   */
  console: z.strictObject({ host: z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, "must be a host name").optional() }).optional(),
  audit: z
    .discriminatedUnion("destination", [
      z.strictObject({
        destination: z.literal("r2"),
        /** An R2 bucket of the account (create it first); credentials: LOGPUSH_R2_ACCESS_KEY_ID / LOGPUSH_R2_SECRET_ACCESS_KEY in .env. */
        bucket: z.string().regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, "must be an R2 bucket name (3-63 lowercase letters, digits, dashes)"),
        path: z.string().regex(/^[A-Za-z0-9_\-/{}]{1,200}$/, "must be a path of letters, digits, _ - / and {DATE}").default(OPERATIONS_DEFAULTS.r2Path),
      }),
      z.strictObject({
        destination: z.literal("http"),
        /** An HTTPS collector; an Authorization header for it: LOGPUSH_HTTP_AUTHORIZATION in .env. */
        url: z.url({ protocol: /^https$/, error: "must be an https URL" }).max(2048),
      }),
    ])
    .optional(),
});
export type Operations = z.output<typeof OperationsSchema>;

/** Root `ecosystem.json`: the fleet. */
export const EcosystemSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Host of each server; `{slug}` and `{base_domain}` are substituted. */
  hostPattern: z.string().includes("{slug}").default("{slug}-mcp.{base_domain}"),
  defaults: z
    .strictObject({
      scopeProfile: ScopeProfileSchema.default("standard"),
      accessPolicy: AccessPolicySchema.default({ user: "require_client_grant", client: "deny_all" }),
      trailingSlash: z.enum(["both", "always", "never"]).default("never"),
      tokenDialect: z.enum(["rfc9068_profile_authz", "access_token_authz"]).default("rfc9068_profile_authz"),
    })
    .default({ scopeProfile: "standard", accessPolicy: { user: "require_client_grant", client: "deny_all" }, trailingSlash: "never", tokenDialect: "rfc9068_profile_authz" }),
  tenant: z
    .strictObject({
      resourceParameterProfile: z.literal("compatibility").default("compatibility"),
      issuerInAuthorizationResponse: z.boolean().default(true),
      dynamicClientRegistration: z.boolean().default(true),
      domainConnections: z.array(z.string()).default([]),
      /**
       * Trusted MCP clients by their Client ID Metadata Document URL (CIMD, MCP 2025-11-25):
       * registered in Auth0 as third-party clients and granted each server's read scopes — sign-in
       * for known clients without opening dynamic client registration.
       */
      cimdClients: z.array(z.url({ protocol: /^https$/, error: "must be an https URL of a client ID metadata document" }).max(2048)).max(100).default([]),
      /**
       * Auth0's dynamic CIMD registration: any client may sign in with its metadata document URL
       * as client_id, registered on the fly (the tenant setting `client_id_metadata_document_supported`,
       * which Auth0 also requires for the clients listed above). true: on; false: off (refused
       * while `cimdClients` lists any); absent: left as the tenant has it.
       */
      dynamicCimd: z.boolean().optional(),
    })
    .default({ resourceParameterProfile: "compatibility", issuerInAuthorizationResponse: true, dynamicClientRegistration: true, domainConnections: [], cimdClients: [] }),
  /**
   * Who MCP clients sign in with. "auth0" (default): Auth0 is their authorization server. "facade":
   * the edge OAuth facade (workers/oauth on auth.{base_domain}) is, in front of Auth0 through one
   * confidential application the provisioner creates (docs/sign-in.md).
   */
  auth: z
    .strictObject({ mode: z.enum(["auth0", "facade"]).default("auth0") })
    .default({ mode: "auth0" }),
  clients: z.record(Key, ClientSchema).default({}),
  clientGroups: z.record(Key, z.array(Key)).default({}),
  /** What the fleet records and where it goes (docs/operations.md). */
  operations: OperationsSchema.default({ metricsDataset: OPERATIONS_DEFAULTS.metricsDataset, traceDestinations: [], traceSampleRate: 1 }),
  dev: z
    .strictObject({
      /** Port of the local authorization server (the Auth0 stand-in). */
      issuerPort: z.number().int().min(1024).max(65535).default(DEV_DEFAULTS.issuerPort),
      /** Port of the edge OAuth facade under `npm run dev -- --auth facade`. */
      facadePort: z.number().int().min(1024).max(65535).default(DEV_DEFAULTS.facadePort),
      /** The development user the local sign-in page selects by default. */
      user: DevUserSchema.default(DEV_DEFAULTS.user),
      /** More development users the local sign-in page offers (e.g. to see another user's gateway view). */
      extraUsers: z.array(DevUserSchema).max(20).default([]),
      /** Port of the operator console (workers/console) under `npm run dev`. */
      consolePort: z.number().int().min(1024).max(65535).default(DEV_DEFAULTS.consolePort),
      /** Port of the third-party provider stand-in (GitHub's shape) servers' connected accounts use under `npm run dev`. */
      thirdPartyPort: z.number().int().min(1024).max(65535).default(DEV_DEFAULTS.thirdPartyPort),
      /**
       * The dev users granted the operator scope (fleet.read), as an Auth0 role would grant it: they
       * get into the console and see a gateway's /health detail. Default: the dev user alone.
       */
      operators: z.array(z.string().min(1).max(256)).max(20).optional(),
    })
    .default({ issuerPort: DEV_DEFAULTS.issuerPort, facadePort: DEV_DEFAULTS.facadePort, consolePort: DEV_DEFAULTS.consolePort, thirdPartyPort: DEV_DEFAULTS.thirdPartyPort, user: DEV_DEFAULTS.user, extraUsers: [] })
    .superRefine((dev, ctx) => {
      const subs = [dev.user.sub, ...dev.extraUsers.map((u) => u.sub)];
      subs.forEach((sub, i) => {
        if (subs.indexOf(sub) !== i) ctx.addIssue({ code: "custom", path: ["extraUsers", i - 1, "sub"], message: `"${sub}" is already a dev user: each sub once` });
      });
      if (dev.facadePort === dev.issuerPort) ctx.addIssue({ code: "custom", path: ["facadePort"], message: `must differ from dev.issuerPort (${dev.issuerPort})` });
      for (const [i, sub] of (dev.operators ?? []).entries()) {
        if (!subs.includes(sub)) ctx.addIssue({ code: "custom", path: ["operators", i], message: `"${sub}" is not a dev user (dev.user or dev.extraUsers)` });
      }
    }),
}).superRefine((ecosystem, ctx) => {
  // The facade exists so that nobody on the internet can create applications in the tenant.
  if (ecosystem.tenant.dynamicCimd === false && ecosystem.tenant.cimdClients.length > 0) {
    ctx.addIssue({
      code: "custom",
      path: ["tenant", "dynamicCimd"],
      message: "cannot be false while tenant.cimdClients lists clients: Auth0 has one setting for both (client_id_metadata_document_supported), and registered CIMD clients need it on",
    });
  }
  if (ecosystem.auth.mode === "facade" && ecosystem.tenant.dynamicClientRegistration) {
    ctx.addIssue({
      code: "custom",
      path: ["tenant", "dynamicClientRegistration"],
      message: 'must be false with auth.mode "facade": clients register at the facade, never at Auth0',
    });
  }
});

export type Ecosystem = z.output<typeof EcosystemSchema>;
export type ServerManifest = z.output<typeof ServerManifestSchema>;
