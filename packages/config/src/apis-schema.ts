import { z } from "zod";

/**
 * mcp.json `apis`: the APIs a server's tools may call as the signed-in user — what the provisioner
 * reconciles and the worker is given (`MCP_APIS`). A tool can reach only what its server declares.
 * `{base_domain}` in a URL is replaced with ECOSYSTEM_BASE_DOMAIN.
 */
const Url = z.string().min(1).max(600).regex(/^https:\/\/[^\s"]+$|^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/[^\s"]*)?$/, "must be an https URL (http only on localhost)");
const ScopeList = z.array(z.string().min(1).max(200).regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, "must be scope tokens")).max(50);

/** A first-party API (your own, or another team's in the same Auth0 tenant): reached by RFC 8693 on-behalf-of exchange. */
export const FirstPartyApiSchema = z.strictObject({
  /** Its Auth0 API identifier: the exchanged token's audience. */
  audience: z.string().min(1).max(600),
  /** What the exchange asks for; the token never carries more. */
  scopes: ScopeList.min(1),
  /** Where it is served: `extra.apis.fetch(name, path)` sends the token only under this URL. */
  baseUrl: Url,
  /** edge-mcp creates (and owns) this API in Auth0 with these scopes; false: it exists already. */
  owned: z.boolean().default(false),
  /**
   * Under `npm run dev`: the local audience and URL, and the Worker of this repository that serves
   * it there (`workers/<worker>`, started with API_ISSUER, API_AUDIENCE and API_TRUSTED_ACTORS).
   */
  dev: z.strictObject({ audience: Url, baseUrl: Url, worker: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/).optional() }).optional(),
});

/** A third-party API (GitHub, Google, Slack…) through an Auth0 connection's Token Vault: the user connects the account once. */
export const ThirdPartyApiSchema = z.strictObject({
  /** The Auth0 connection (e.g. `github`, `google-oauth2`), with Connected Accounts for Token Vault on. */
  connection: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, "must be an Auth0 connection name"),
  /** The provider scopes the connection asks the user for. */
  scopes: ScopeList.default([]),
  baseUrl: Url,
  /** Under `npm run dev`: the third-party stand-in's URL. */
  dev: z.strictObject({ baseUrl: Url }).optional(),
});

export const ApiNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, "must be lowercase letters, digits and dashes, starting with a letter");
export const ServerApisSchema = z.record(ApiNameSchema, z.union([FirstPartyApiSchema, ThirdPartyApiSchema])).default({});
export type ServerApis = z.output<typeof ServerApisSchema>;
export type FirstPartyApi = z.output<typeof FirstPartyApiSchema>;
export type ThirdPartyApi = z.output<typeof ThirdPartyApiSchema>;

export function isFirstParty(api: FirstPartyApi | ThirdPartyApi): api is FirstPartyApi {
  return "audience" in api;
}

/**
 * What the worker is given as `MCP_APIS` (JSON): production URLs with the base domain filled in, or
 * with `dev: true` the local ones where the declaration has them.
 */
export function renderedApis(apis: ServerApis, target: { baseDomain: string } | { dev: true }): string {
  const fill = (url: string) => ("baseDomain" in target ? url.replaceAll("{base_domain}", target.baseDomain) : url);
  const dev = "dev" in target;
  const out = Object.fromEntries(
    Object.entries(apis).map(([name, api]) =>
      isFirstParty(api)
        ? [name, { kind: "first-party", audience: fill(dev && api.dev ? api.dev.audience : api.audience), scopes: api.scopes, baseUrl: fill(dev && api.dev ? api.dev.baseUrl : api.baseUrl) }]
        : [name, { kind: "third-party", connection: api.connection, scopes: api.scopes, baseUrl: fill(dev && api.dev ? api.dev.baseUrl : api.baseUrl) }],
    ),
  );
  return JSON.stringify(out);
}
