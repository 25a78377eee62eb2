import { z } from "zod";

/** Loopback http for `npm run dev`, https everywhere else. */
const Url = z.url().refine((v) => v.startsWith("https://") || /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\//.test(v), "must be https (http only on localhost)");

/** The console's env, checked once per env object: a mistake names the variable and what to set. */
const ConsoleEnvSchema = z.object({
  /** The authorization server operators sign in with (Auth0's issuer, with its trailing slash). */
  CONSOLE_ISSUER: Url,
  /** The console's own API identifier: the audience its session tokens must carry. */
  CONSOLE_AUDIENCE: Url,
  CONSOLE_CLIENT_ID: z.string().min(1),
  /** A Worker secret: the console's confidential client at the authorization server. */
  CONSOLE_CLIENT_SECRET: z.string().min(16, "must be set (wrangler secret put CONSOLE_CLIENT_SECRET)"),
  /** A Worker secret: the key sessions are sealed with (32+ random characters). */
  CONSOLE_SESSION_KEY: z.string().min(32, "must be 32+ random characters (wrangler secret put CONSOLE_SESSION_KEY)"),
  /** The JWKS, when not at `${issuer}.well-known/jwks.json` (tests). */
  CONSOLE_JWKS_URI: Url.optional(),
  FLEET_SERVERS: z.string().default("").transform((v) => v.split(/[\s,]+/).filter((s) => s !== "")),
  TELEMETRY_SOURCE: z.enum(["local", "analytics-engine"]).default("local"),
  METRICS_DATASET: z.string().regex(/^[A-Za-z0-9_]{1,64}$/).default("edge_mcp_calls"),
  /** Analytics Engine's SQL API: the account, and a token with Account Analytics:Read (a secret). */
  CF_ACCOUNT_ID: z.string().regex(/^[0-9a-f]{32}$/).optional(),
  CF_API_TOKEN: z.string().min(1).optional(),
  CF_API_BASE: z.url().default("https://api.cloudflare.com/client/v4"),
}).superRefine((env, ctx) => {
  if (env.TELEMETRY_SOURCE === "analytics-engine" && (env.CF_ACCOUNT_ID === undefined || env.CF_API_TOKEN === undefined)) {
    ctx.addIssue({ code: "custom", path: ["CF_API_TOKEN"], message: 'TELEMETRY_SOURCE "analytics-engine" needs CF_ACCOUNT_ID and the secret CF_API_TOKEN (Account Analytics:Read)' });
  }
});

export type ConsoleConfig = z.output<typeof ConsoleEnvSchema>;

/** Thrown for a misconfigured console: the page says which variable, never a value. */
export class ConsoleConfigError extends Error {
  override readonly name = "ConsoleConfigError";
  readonly code = "misconfigured";
}

const parsed = new WeakMap<object, ConsoleConfig>();

/** The console's config from its env (parsed once per env object). */
export function consoleConfig(env: object): ConsoleConfig {
  let config = parsed.get(env);
  if (config !== undefined) return config;
  const result = ConsoleEnvSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConsoleConfigError(`${issue?.path.join(".") ?? "env"}: ${issue?.message ?? "invalid"}`);
  }
  parsed.set(env, (config = result.data));
  return config;
}
