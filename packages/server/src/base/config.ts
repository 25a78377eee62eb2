import { ResourceUrlSchema, SecureUrlSchema } from "@edge-mcp/auth";
import { z } from "zod";
import { SERVER_DEFAULTS } from "./defaults.ts";
import { MisconfiguredError } from "./errors.ts";

const secureUrl = (value: string) => SecureUrlSchema.safeParse(value).success;
const list = (value: string) => value.split(/[\s,]+/).filter((item) => item !== "");
/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const MAX_SCOPE_CHARS = 128;

/**
 * The Worker env vars a server reads (see wrangler.toml.template). Validated on first use,
 * once per env object; a bad or missing variable fails every request with 500 and a message
 * naming it — never its value.
 */
/** A var holding a whole number of `unit` in [min, max] (vars are strings), e.g. "3600". */
function wholeNumberVar(unit: string, min: number, max?: number) {
  return z
    .string()
    .regex(/^\d+$/, `must be a whole number of ${unit}`)
    .transform(Number)
    .refine((n) => n >= min, `must be at least ${min}`)
    .refine((n) => max === undefined || n <= max, `must be at most ${max}`)
    .optional();
}

const EnvSchema = z
  .object({
    MCP_RESOURCE: z
      .string({ error: "is required (the canonical URL of this server, e.g. https://notes-mcp.example.com/mcp)" })
      .pipe(ResourceUrlSchema),
    /**
     * Who issues the tokens this server accepts: "auth0" (default; RS256 JWTs verified against
     * the issuer's JWKS) or "facade" (the edge OAuth facade's opaque tokens, checked over the
     * `AUTH_SERVER` service binding; AUTH_ISSUER is then the facade's issuer).
     */
    AUTH_MODE: z.enum(["auth0", "facade"], { error: 'must be "auth0" or "facade"' }).optional(),
    /** Facade mode: how long an isolate trusts a token it has checked, in seconds (0-300). */
    AUTH_FACADE_CACHE_S: wholeNumberVar("seconds", 0, 300),
    AUTH_ISSUER: z.string().optional(),
    AUTH_AUDIENCES: z.string().optional(),
    AUTH_JWKS_URI: SecureUrlSchema.optional(),
    ALLOWED_ORIGINS: z.string().optional(),
    /** The scopes this server advertises (PRM `scopes_supported`, the 401 `scope`): its mcp.json scopes. */
    MCP_SCOPES: z
      .string()
      .refine((v) => list(v).length > 0 && list(v).every((s) => SCOPE_TOKEN.test(s) && s.length <= MAX_SCOPE_CHARS), "must be space-separated scope tokens")
      .optional(),
    SESSION_IDLE_TIMEOUT_S: wholeNumberVar("seconds", 1),
    MAX_SESSIONS_PER_SUBJECT: wholeNumberVar("sessions", 1),
    MAX_LISTENERS_PER_SUBJECT: wholeNumberVar("listeners", 1),
    SSE_KEEPALIVE_S: wholeNumberVar("seconds", 1, 300),
    MAX_TASKS_PER_SUBJECT: wholeNumberVar("tasks", 1),
    /** HMAC key for MRTR requestState (a Worker secret): at least 32 characters. */
    MCP_REQUEST_STATE_KEY: z.string().min(32, "must be at least 32 characters (a random secret: wrangler secret put MCP_REQUEST_STATE_KEY)").optional(),
    AUTH_DISABLED: z.enum(["true", "false", "1", "0", ""], { error: 'must be "true" or "false"' }).optional(),
    ENVIRONMENT: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    const disabled = env.AUTH_DISABLED === "true" || env.AUTH_DISABLED === "1";
    if (disabled && env.ENVIRONMENT === "production") {
      ctx.addIssue({ code: "custom", path: ["AUTH_DISABLED"], message: "is refused when ENVIRONMENT=production" });
    }
    if (!disabled) {
      if (env.AUTH_ISSUER === undefined || !secureUrl(env.AUTH_ISSUER)) {
        ctx.addIssue({ code: "custom", path: ["AUTH_ISSUER"], message: "is required: the Auth0 issuer, e.g. https://tenant.us.auth0.com/" });
      }
      if (env.AUTH_MODE !== "facade" && (env.AUTH_AUDIENCES === undefined || list(env.AUTH_AUDIENCES).length === 0)) {
        ctx.addIssue({ code: "custom", path: ["AUTH_AUDIENCES"], message: "is required: this server's API identifier(s), comma-separated" });
      }
    }
  });

export interface ServerConfig {
  /** Canonical resource URL (RFC 8707), e.g. https://notes-mcp.example.com/mcp. */
  readonly resource: string;
  readonly resourceOrigin: string;
  /** Path of the resource URL: the MCP endpoint, e.g. `/mcp`. */
  readonly resourcePath: string;
  readonly resourceHost: string;
  readonly auth:
    | { readonly disabled: true }
    | { readonly disabled: false; readonly mode: "auth0"; readonly issuer: string; readonly audiences: readonly string[]; readonly jwksUri: string | undefined }
    /** The edge OAuth facade: tokens checked over the `AUTH_SERVER` binding, for this resource only. */
    | { readonly disabled: false; readonly mode: "facade"; readonly issuer: string; readonly cacheSeconds: number | undefined };
  /** `MCP_SCOPES`: the scopes this server advertises; undefined = the `scopes` option's (or the standard profile). */
  readonly scopes: readonly string[] | undefined;
  /** Origins allowed to call cross-origin (CORS); the resource's own origin is always allowed. */
  readonly allowedOrigins: ReadonlySet<string>;
  readonly sessionIdleTimeoutSeconds: number;
  /** HMAC key for MRTR requestState (`MCP_REQUEST_STATE_KEY`); undefined = tools cannot mint state. */
  readonly requestStateKey: string | undefined;
  /** Live sessions per subject before the oldest is ended (`MAX_SESSIONS_PER_SUBJECT`). */
  readonly maxSessionsPerSubject: number;
  /** Open listening streams one subject may hold at once. */
  readonly maxListenersPerSubject: number;
  /** Unfinished MCP tasks one subject may have at once. */
  readonly maxTasksPerSubject: number;
  /** Keep-alive interval of open streams and event feeds (`SSE_KEEPALIVE_S`, for proxies that cut idle connections sooner), in milliseconds. */
  readonly sseKeepAliveMs: number;
  readonly environment: string | undefined;
}

const cache = new WeakMap<object, ServerConfig>();

/** Parses the env once per env object (i.e. once per isolate in production). */
export function readConfig(env: object): ServerConfig {
  const known = cache.get(env);
  if (known !== undefined) return known;
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "env"} ${issue.message}`);
    throw new MisconfiguredError(`Server misconfigured: ${problems.join("; ")}.`);
  }
  const e = parsed.data;
  const resource = new URL(e.MCP_RESOURCE);
  const disabled = e.AUTH_DISABLED === "true" || e.AUTH_DISABLED === "1";
  const config: ServerConfig = Object.freeze({
    resource: e.MCP_RESOURCE,
    resourceOrigin: resource.origin,
    resourcePath: resource.pathname,
    resourceHost: resource.host,
    auth: disabled
      ? Object.freeze({ disabled: true as const })
      : e.AUTH_MODE === "facade"
        ? Object.freeze({ disabled: false as const, mode: "facade" as const, issuer: e.AUTH_ISSUER!, cacheSeconds: e.AUTH_FACADE_CACHE_S })
        : Object.freeze({
            disabled: false as const,
            mode: "auth0" as const,
            issuer: e.AUTH_ISSUER!,
            audiences: Object.freeze(list(e.AUTH_AUDIENCES!)),
            jwksUri: e.AUTH_JWKS_URI,
          }),
    scopes: e.MCP_SCOPES === undefined ? undefined : Object.freeze([...new Set(list(e.MCP_SCOPES))]),
    allowedOrigins: new Set([resource.origin, ...list(e.ALLOWED_ORIGINS ?? "")]),
    sessionIdleTimeoutSeconds: e.SESSION_IDLE_TIMEOUT_S ?? SERVER_DEFAULTS.sessionIdleTimeoutSeconds,
    maxSessionsPerSubject: e.MAX_SESSIONS_PER_SUBJECT ?? SERVER_DEFAULTS.maxSessionsPerSubject,
    maxListenersPerSubject: e.MAX_LISTENERS_PER_SUBJECT ?? SERVER_DEFAULTS.maxListenersPerSubject,
    maxTasksPerSubject: e.MAX_TASKS_PER_SUBJECT ?? SERVER_DEFAULTS.maxLiveTasksPerSubject,
    sseKeepAliveMs: e.SSE_KEEPALIVE_S === undefined ? SERVER_DEFAULTS.sseKeepAliveMs : e.SSE_KEEPALIVE_S * 1_000,
    requestStateKey: e.MCP_REQUEST_STATE_KEY,
    environment: e.ENVIRONMENT,
  });
  cache.set(env, config);
  return config;
}
