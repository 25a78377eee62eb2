import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import { errors } from "oidc-provider";
import type { DevUser } from "./dev-auth-server.ts";
import { renderConsentPage } from "./interaction-page.ts";
import { readBody } from "./read-body.ts";
import type { DevResourceServer } from "./resource-servers.ts";

/** Who may sign in and what they may be granted on the local sign-in page. */
export interface SignInSetup {
  readonly users: ReadonlyMap<string, DevUser>;
  readonly resourceServers: readonly DevResourceServer[];
  /** The user the page signs in when the form names none. */
  readonly defaultUser: string;
  /** The operator scope, granted only to these subjects (as an Auth0 role would). */
  readonly operators?: { readonly scope: string; readonly subjects: readonly string[] };
}

/**
 * The one-click sign-in and consent page (`/interaction/:uid`, GET shows it, POST `/confirm`
 * answers it): the picked dev user is signed in and granted what the client asked for.
 */
export function signInInteraction(provider: Provider, setup: SignInSetup): (req: IncomingMessage, res: ServerResponse, uid: string, confirm: boolean) => Promise<void> {
  const users = setup.users;
  const byIdentifier = new Map(setup.resourceServers.map((r) => [r.identifier, r]));
  return async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, confirm: boolean): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new errors.SessionNotFound("interaction mismatch");
    const params = details.params as { client_id: string; scope?: string; resource?: string | string[] };
    const requested = (params.scope ?? "").split(" ").filter((s) => s !== "");
    const resources = (Array.isArray(params.resource) ? params.resource : params.resource ? [params.resource] : []).map((identifier) => ({
      identifier,
      scopes: requested.filter((s) => byIdentifier.get(identifier)?.scopes.includes(s)),
    }));
    if (!confirm) {
      const client = await provider.Client.find(params.client_id);
      const html = renderConsentPage({ uid, clientName: client?.clientName ?? params.client_id, users: [...users.values()], resources });
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(html);
      return;
    }
    const body = new URLSearchParams(await readBody(req, "form"));
    if (body.get("decision") !== "approve") {
      await provider.interactionFinished(req, res, { error: "access_denied", error_description: "The user denied the request." }, { mergeWithLastSubmission: false });
      return;
    }
    // The user picked on the page: one of the dev users, nobody else.
    const accountId = body.get("user") ?? setup.defaultUser;
    if (!users.has(accountId)) throw new errors.InvalidRequest("unknown dev user");
    // One click grants everything asked for: the provider counts every scope it knows (resource
    // scopes included, for DCR) as requested OIDC scope, and each resource its own scopes.
    const grant = new provider.Grant({ accountId, clientId: params.client_id });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
    // Auth0 RBAC: the operator scope only for operators, whatever the client asked for.
    const allowed = (scopes: readonly string[]) => scopes.filter((s) => setup.operators === undefined || s !== setup.operators.scope || setup.operators.subjects.includes(accountId));
    // (OIDC scopes as asked: the provider counts resource scopes among them, and access tokens take theirs from the resource grant.)
    const oidcScopes = [...new Set([...requested, ...(missing.missingOIDCScope ?? [])])];
    if (oidcScopes.length > 0) grant.addOIDCScope(oidcScopes.join(" "));
    for (const r of resources) grant.addResourceScope(r.identifier, allowed(r.scopes).join(" "));
    for (const [identifier, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(identifier, allowed(scopes).join(" "));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
  };
}
