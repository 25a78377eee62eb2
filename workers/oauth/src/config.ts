import { ResourceUrlSchema, SecureUrlSchema } from "@edge-mcp/auth";
import { z } from "zod";
import { FacadeError } from "./errors.ts";

const list = (value: string) => value.split(/[\s,]+/).filter((item) => item !== "");
/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The facade's Worker env (rendered into its wrangler.toml by the provisioner; the client secret
 * is a Worker secret). Validated once per env object; a bad variable fails every request with
 * 500 naming it, never its value.
 */
const EnvSchema = z.object({
  /** The facade's issuer (RFC 8414): https://auth.{base_domain}. */
  FACADE_ISSUER: SecureUrlSchema,
  /** Every fleet server's canonical resource (RFC 8707), space-separated: the only audiences tokens get. */
  FACADE_RESOURCES: z
    .string({ error: "is required: the fleet's resource URLs, space-separated" })
    .refine((v) => list(v).length > 0 && list(v).every((r) => ResourceUrlSchema.safeParse(r).success), "must be resource URLs (https, or http on loopback in dev)"),
  /** Everything the facade can grant (RFC 8414 `scopes_supported`): the servers' scopes. */
  FACADE_SCOPES: z.string().refine((v) => list(v).length > 0 && list(v).every((s) => SCOPE_TOKEN.test(s)), "must be space-separated scope tokens"),
  /** Auth0's issuer, e.g. https://tenant.us.auth0.com/ — where users sign in. */
  UPSTREAM_ISSUER: SecureUrlSchema,
  /** The one confidential Auth0 application the provisioner creates for the facade. */
  UPSTREAM_CLIENT_ID: z.string().min(1, "is required: the facade's Auth0 application client id"),
  /** Its client secret (a Worker secret: wrangler secret put UPSTREAM_CLIENT_SECRET). */
  UPSTREAM_CLIENT_SECRET: z.string().min(16, "is required: wrangler secret put UPSTREAM_CLIENT_SECRET"),
  /** Dynamic registrations allowed per IP address per hour; 0 turns DCR off. */
  DCR_PER_IP_PER_HOUR: z.string().regex(/^\d+$/, "must be a whole number").transform(Number).optional(),
  /** Sign-ins started (GET /authorize: each stores a pending request) per IP address per hour. */
  AUTHORIZE_PER_IP_PER_HOUR: z.string().regex(/^[1-9]\d*$/, "must be a whole number, at least 1").transform(Number).optional(),
  /** Dev and tests only: accept CIMD documents on loopback hosts (refused when ENVIRONMENT=production). */
  CIMD_ALLOW_LOOPBACK: z.enum(["true", "false"]).optional(),
  ENVIRONMENT: z.string().optional(),
});

export interface FacadeConfig {
  readonly issuer: string;
  readonly resources: readonly string[];
  readonly scopes: readonly string[];
  readonly upstream: { readonly issuer: string; readonly clientId: string; readonly clientSecret: string };
  readonly callbackUrl: string;
  readonly dcrPerIpPerHour: number;
  readonly authorizePerIpPerHour: number;
  readonly cimdAllowLoopback: boolean;
}

/** Defaults, with units. */
export const FACADE_DEFAULTS = Object.freeze({
  /** Dynamic registrations per IP address per hour. */
  dcrPerIpPerHour: 10,
  /**
   * Sign-ins started (GET /authorize) per IP address per hour: each stores the pending request (a
   * KV write by the library) before anyone signed in, so an anonymous caller's writes are bounded.
   */
  authorizePerIpPerHour: 120,
  /** A dynamically registered client nobody uses is deleted after this long, in seconds (7 days). */
  clientRegistrationTtlSeconds: 7 * 86_400,
  /** Access token lifetime, in seconds. */
  accessTokenTtlSeconds: 3_600,
  /** Refresh tokens: the grant ends when unused this long, in seconds (14 days). */
  refreshTokenIdleTtlSeconds: 14 * 86_400,
  /** Auth0 discovery document and token requests: abort after this long, in milliseconds. */
  upstreamTimeoutMs: 10_000,
  /**
   * A used refresh token presented again within this long of its first use is a client retrying
   * after a lost response, and is honoured; after it, reuse revokes the grant — in seconds.
   */
  refreshReuseGraceSeconds: 15,
  /** Largest POST body read (token request, consent form, registration), in bytes (64 KiB); larger → 413 unread. */
  maxBodyBytes: 65_536,
});

const cache = new WeakMap<object, FacadeConfig>();

export function readFacadeConfig(env: object): FacadeConfig {
  const known = cache.get(env);
  if (known !== undefined) return known;
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "env"} ${issue.message}`);
    throw new FacadeError("misconfigured", `OAuth facade misconfigured: ${problems.join("; ")}.`);
  }
  const e = parsed.data;
  if (e.CIMD_ALLOW_LOOPBACK === "true" && e.ENVIRONMENT === "production") {
    throw new FacadeError("misconfigured", "OAuth facade misconfigured: CIMD_ALLOW_LOOPBACK is refused when ENVIRONMENT=production.");
  }
  const issuer = e.FACADE_ISSUER.replace(/\/$/, "");
  const config: FacadeConfig = Object.freeze({
    issuer,
    resources: Object.freeze([...new Set(list(e.FACADE_RESOURCES))]),
    scopes: Object.freeze([...new Set([...list(e.FACADE_SCOPES), "offline_access"])]),
    upstream: Object.freeze({ issuer: e.UPSTREAM_ISSUER, clientId: e.UPSTREAM_CLIENT_ID, clientSecret: e.UPSTREAM_CLIENT_SECRET }),
    callbackUrl: `${issuer}/callback`,
    dcrPerIpPerHour: e.DCR_PER_IP_PER_HOUR ?? FACADE_DEFAULTS.dcrPerIpPerHour,
    authorizePerIpPerHour: e.AUTHORIZE_PER_IP_PER_HOUR ?? FACADE_DEFAULTS.authorizePerIpPerHour,
    cimdAllowLoopback: e.CIMD_ALLOW_LOOPBACK === "true",
  });
  cache.set(env, config);
  return config;
}
