import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ProvisionError } from "./errors.ts";

const PLACEHOLDER = /^(__REQUIRED__|changeme|todo)$|example\.(com|org|net)$/i;

const required = (name: string) =>
  z
    .string({ error: `${name} is not set` })
    .min(1, `${name} is empty`)
    .refine((v) => !PLACEHOLDER.test(v), `${name} still holds the placeholder from .env.example: set the real value`);

/**
 * What a command uses, and so what it checks: `management` (the Auth0 Management API: plan,
 * apply, verify-tenant and the config edits) and `cloudflare` ("required" for a real deploy,
 * "optional" for routes, which renders without it and says the hostnames were not checked, or
 * "ignored"). Every command needs the base domain and the tenant domain (the issuer).
 */
export interface EnvNeeds {
  readonly management: boolean;
  readonly cloudflare: "required" | "optional" | "ignored";
}

/** What the Auth0 commands read: the Management API, not Cloudflare. */
export const AUTH0_COMMAND: EnvNeeds = Object.freeze({ management: true, cloudflare: "ignored" });

function envSchema(needs: EnvNeeds) {
  const cloudflare = (name: string) => (needs.cloudflare === "required" ? required(name) : required(name).optional());
  return z.object({
    ECOSYSTEM_BASE_DOMAIN: required("ECOSYSTEM_BASE_DOMAIN").refine((v) => PLACEHOLDER.test(v) || /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(v), "ECOSYSTEM_BASE_DOMAIN must be a domain like mcp.acme.dev"),
    AUTH0_DOMAIN: required("AUTH0_DOMAIN"),
    AUTH0_MGMT_CLIENT_ID: needs.management ? required("AUTH0_MGMT_CLIENT_ID") : z.string().optional(),
    AUTH0_MGMT_CLIENT_SECRET: needs.management ? required("AUTH0_MGMT_CLIENT_SECRET") : z.string().optional(),
    CLOUDFLARE_API_TOKEN: cloudflare("CLOUDFLARE_API_TOKEN"),
    CLOUDFLARE_ACCOUNT_ID: cloudflare("CLOUDFLARE_ACCOUNT_ID"),
    /** The gateway's rules KV namespace id, for rendering its wrangler.toml without Cloudflare credentials (else looked up or created). */
    GATEWAY_RULES_KV_ID: z.string().regex(/^[0-9a-f]{32}$/, "GATEWAY_RULES_KV_ID must be a KV namespace id (32 hex digits)").optional(),
    /** The OAuth facade's KV namespace id (auth.mode "facade"), for rendering its wrangler.toml without Cloudflare credentials. */
    OAUTH_KV_ID: z.string().regex(/^[0-9a-f]{32}$/, "OAUTH_KV_ID must be a KV namespace id (32 hex digits)").optional(),
    /**
     * The facade's Auth0 application (auth.mode "facade"): written to .env's managed block by
     * `npm run provision` when it creates it — clientEnvNames("oauth-facade").id.
     */
    EDGE_MCP_CLIENT_OAUTH_FACADE_ID: z.string().min(1).optional(),
    /** The operator console's Auth0 application (operations.console), written by `npm run provision`: clientEnvNames("operator-console").id. */
    EDGE_MCP_CLIENT_OPERATOR_CONSOLE_ID: z.string().min(1).optional(),
    /** Credentials of the Logpush destination (ecosystem.json operations.audit), put only into the job's destination_conf. */
    LOGPUSH_R2_ACCESS_KEY_ID: z.string().min(1).optional(),
    LOGPUSH_R2_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    LOGPUSH_HTTP_AUTHORIZATION: z.string().min(1).optional(),
    /** The Cloudflare API; overridable only with https or a loopback http URL (a local fake or proxy). */
    CLOUDFLARE_API_BASE: z
      .string()
      .refine((v) => /^https:\/\//.test(v) || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(v), "CLOUDFLARE_API_BASE must be https (or http on loopback)")
      .default("https://api.cloudflare.com/client/v4"),
    // Other variables pass through: the managed block's per-server client ids (EDGE_MCP_CLIENT_<KEY>_ID).
  }).loose();
}

export type ProvisionEnv = z.output<ReturnType<typeof envSchema>>;

/** Parses KEY=VALUE lines (comments, blank lines, optional quotes). */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match === null) continue;
    let value = match[2]!;
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    out[match[1]!] = value;
  }
  return out;
}

/**
 * Secrets and deployment values, checked for what the command uses (`needs`): the process
 * environment wins over the root `.env`. A variable a command does not use is not looked at; an
 * optional one still holding its .env.example placeholder is as good as absent. Errors name every
 * bad variable and never echo a value.
 */
export function readProvisionEnv(root: string, processEnv: NodeJS.ProcessEnv = process.env, needs: EnvNeeds = AUTH0_COMMAND): ProvisionEnv {
  const file = join(root, ".env");
  const fromFile = existsSync(file) ? parseDotEnv(readFileSync(file, "utf8")) : {};
  const merged: Record<string, string> = { ...fromFile, ...Object.fromEntries(Object.entries(processEnv).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== "")) };
  const unused = [...(needs.management ? [] : ["AUTH0_MGMT_CLIENT_ID", "AUTH0_MGMT_CLIENT_SECRET"]), ...(needs.cloudflare === "ignored" ? ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID"] : [])];
  for (const name of unused) delete merged[name];
  if (needs.cloudflare === "optional") {
    for (const name of ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID"]) if (merged[name] !== undefined && PLACEHOLDER.test(merged[name])) delete merged[name];
  }
  const parsed = envSchema(needs).safeParse(merged);
  if (!parsed.success) {
    // One line per variable, missing and placeholder alike, all at once; never a value.
    const byName = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? "env");
      if (!byName.has(name)) byName.set(name, issue.message.replace(new RegExp(`^${name} `), ""));
    }
    const width = Math.max(...[...byName.keys()].map((n) => n.length));
    const lines = [...byName].map(([name, problem]) => `  ${name.padEnd(width)}  ${problem}`);
    throw new ProvisionError("env_invalid", `${byName.size} setting(s) to fix in ${file} or the environment (see .env.example):\n${lines.join("\n")}`);
  }
  return parsed.data;
}
