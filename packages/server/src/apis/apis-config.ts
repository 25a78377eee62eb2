import { z } from "zod";
import { MisconfiguredError } from "../base/errors.ts";

/**
 * The downstream APIs a server's tools may call as the user, from `MCP_APIS` (JSON the
 * provisioner and `npm run dev` render from mcp.json `apis`), and the server's clients at the
 * authorization server: the exchanging client (an Auth0 Custom API client tied to the server's
 * API) and, when a third-party API is declared, the web client of the account-connect flow.
 */
const Url = z.url().refine((v) => v.startsWith("https://") || /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(v), "must be https (http only on localhost)");
const Scopes = z.array(z.string().min(1).max(200).regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, "must be scope tokens")).max(50);

const ApiSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("first-party"), audience: z.string().min(1).max(600), scopes: Scopes.min(1), baseUrl: Url }),
  z.strictObject({ kind: z.literal("third-party"), connection: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/), scopes: Scopes, baseUrl: Url }),
]);
export type DeclaredApi = z.output<typeof ApiSchema>;

const ApisEnvSchema = z.object({
  MCP_APIS: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "is not JSON" });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, "API names are lowercase letters, digits and dashes"), ApiSchema))
    .optional(),
  MCP_EXCHANGE_CLIENT_ID: z.string().min(1).optional(),
  MCP_EXCHANGE_CLIENT_SECRET: z.string().min(1).optional(),
  MCP_CONNECT_CLIENT_ID: z.string().min(1).optional(),
  MCP_CONNECT_CLIENT_SECRET: z.string().min(1).optional(),
}).superRefine((env, ctx) => {
  const apis = Object.values(env.MCP_APIS ?? {});
  if (apis.length > 0 && (env.MCP_EXCHANGE_CLIENT_ID === undefined || env.MCP_EXCHANGE_CLIENT_SECRET === undefined)) {
    ctx.addIssue({ code: "custom", path: ["MCP_EXCHANGE_CLIENT_SECRET"], message: "MCP_APIS declares APIs: set MCP_EXCHANGE_CLIENT_ID and the secret MCP_EXCHANGE_CLIENT_SECRET (npm run provision creates the exchanging client)" });
  }
  if (apis.some((a) => a.kind === "third-party") && (env.MCP_CONNECT_CLIENT_ID === undefined || env.MCP_CONNECT_CLIENT_SECRET === undefined)) {
    ctx.addIssue({ code: "custom", path: ["MCP_CONNECT_CLIENT_SECRET"], message: "MCP_APIS declares a third-party API: set MCP_CONNECT_CLIENT_ID and the secret MCP_CONNECT_CLIENT_SECRET (the account-connect flow's client)" });
  }
});

export interface ApisConfig {
  readonly apis: ReadonlyMap<string, DeclaredApi>;
  readonly exchangeClient: { readonly id: string; readonly secret: string } | undefined;
  readonly connectClient: { readonly id: string; readonly secret: string } | undefined;
}


const parsed = new WeakMap<object, ApisConfig>();
const NONE: ApisConfig = Object.freeze({ apis: new Map(), exchangeClient: undefined, connectClient: undefined });

/** The env's declared APIs and clients, parsed once per env object. */
export function apisConfigOf(env: object): ApisConfig {
  const known = parsed.get(env);
  if (known !== undefined) return known;
  const raw = env as Record<string, unknown>;
  if (raw.MCP_APIS === undefined) return NONE;
  const result = ApisEnvSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    // A declaration the worker cannot run with: the variable and why (never a value), as a 500 that names it.
    throw new MisconfiguredError(`${issue?.path.join(".") || "MCP_APIS"}: ${issue?.message ?? "invalid"}`);
  }
  const e = result.data;
  const config: ApisConfig = Object.freeze({
    apis: new Map(Object.entries(e.MCP_APIS ?? {})),
    exchangeClient: e.MCP_EXCHANGE_CLIENT_ID === undefined || e.MCP_EXCHANGE_CLIENT_SECRET === undefined ? undefined : { id: e.MCP_EXCHANGE_CLIENT_ID, secret: e.MCP_EXCHANGE_CLIENT_SECRET },
    connectClient: e.MCP_CONNECT_CLIENT_ID === undefined || e.MCP_CONNECT_CLIENT_SECRET === undefined ? undefined : { id: e.MCP_CONNECT_CLIENT_ID, secret: e.MCP_CONNECT_CLIENT_SECRET },
  });
  parsed.set(env, config);
  return config;
}
