import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ProvisionError } from "./errors.ts";

const PLACEHOLDER = /^(__REQUIRED__|changeme|todo)$|example\.(com|org|net)$/i;
const notPlaceholder = (name: string) => (v: string) => !PLACEHOLDER.test(v) || `${name} still holds a placeholder value`;

const required = (name: string) =>
  z
    .string({ error: `${name} is not set` })
    .min(1, `${name} is empty`)
    .refine((v) => notPlaceholder(name)(v) === true, `${name} still holds the placeholder from .env.example: set the real value`);

const EnvSchema = z.object({
  ECOSYSTEM_BASE_DOMAIN: required("ECOSYSTEM_BASE_DOMAIN").refine((v) => PLACEHOLDER.test(v) || /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(v), "ECOSYSTEM_BASE_DOMAIN must be a domain like mcp.acme.dev"),
  AUTH0_DOMAIN: required("AUTH0_DOMAIN"),
  AUTH0_MGMT_CLIENT_ID: required("AUTH0_MGMT_CLIENT_ID"),
  AUTH0_MGMT_CLIENT_SECRET: required("AUTH0_MGMT_CLIENT_SECRET"),
  CLOUDFLARE_API_TOKEN: required("CLOUDFLARE_API_TOKEN").optional(),
  CLOUDFLARE_ACCOUNT_ID: required("CLOUDFLARE_ACCOUNT_ID").optional(),
  /** The gateway's rules KV namespace id, for rendering its wrangler.toml without Cloudflare credentials (else looked up or created). */
  GATEWAY_RULES_KV_ID: z.string().regex(/^[0-9a-f]{32}$/, "GATEWAY_RULES_KV_ID must be a KV namespace id (32 hex digits)").optional(),
  /** The OAuth facade's KV namespace id (auth.mode "facade"), for rendering its wrangler.toml without Cloudflare credentials. */
  OAUTH_KV_ID: z.string().regex(/^[0-9a-f]{32}$/, "OAUTH_KV_ID must be a KV namespace id (32 hex digits)").optional(),
  /**
   * The facade's Auth0 application (auth.mode "facade"): written to .env's managed block by
   * `npm run provision` when it creates it — clientEnvNames("oauth-facade").id.
   */
  EDGE_MCP_CLIENT_OAUTH_FACADE_ID: z.string().min(1).optional(),
  /** The Cloudflare API; overridable only with https or a loopback http URL (a local fake or proxy). */
  CLOUDFLARE_API_BASE: z
    .string()
    .refine((v) => /^https:\/\//.test(v) || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(v), "CLOUDFLARE_API_BASE must be https (or http on loopback)")
    .default("https://api.cloudflare.com/client/v4"),
});

export type ProvisionEnv = z.output<typeof EnvSchema>;

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
 * Secrets and deployment values: the process environment wins over the root `.env`. Errors name
 * every bad variable and never echo a value.
 */
export function readProvisionEnv(root: string, processEnv: NodeJS.ProcessEnv = process.env): ProvisionEnv {
  const file = join(root, ".env");
  const fromFile = existsSync(file) ? parseDotEnv(readFileSync(file, "utf8")) : {};
  const merged = { ...fromFile, ...Object.fromEntries(Object.entries(processEnv).filter(([, v]) => v !== undefined && v !== "")) };
  const parsed = EnvSchema.safeParse(merged);
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
