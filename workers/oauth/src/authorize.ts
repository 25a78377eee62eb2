import { authorizationErrorRedirect, AuthorizationError, CimdFetchError, type OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import { checkClientIdUrl } from "./cimd-guard.ts";
import type { FacadeConfig } from "./config.ts";
import { pageSecurityHeaders, renderConsentPage } from "./consent-page.ts";
import { errorPage } from "./error-page.ts";
import type { ReadBody } from "./request-body.ts";
import { redeemUpstreamCode, upstreamAuthorizeUrl } from "./upstream.ts";

/** What a grant keeps (encrypted by the library; handed to resource servers by validateToken). */
export interface GrantProps {
  /** The Auth0 subject: the user the MCP servers see. */
  readonly sub: string;
}

interface UpstreamData {
  readonly verifier: string;
}

const redirect = (location: string, headers = new Headers()) => {
  headers.set("location", location);
  headers.set("cache-control", "no-store");
  return new Response(null, { status: 302, headers });
};

/**
 * GET /authorize: validate the request (client, exact redirect URI, resource, PKCE), then show
 * consent. Errors before the client and redirect URI are known are rendered here, never
 * redirected (RFC 6749 §4.1.2.1: no redirect to an unverified URI).
 */
export async function showConsent(request: Request, oauth: OAuthHelpers, config: FacadeConfig): Promise<Response> {
  const clientId = new URL(request.url).searchParams.get("client_id");
  if (clientId !== null) checkClientIdUrl(clientId, config.cimdAllowLoopback);
  const parsed = await parseOrAnswer(request, oauth);
  if (parsed instanceof Response) return parsed;
  // MCP authorization (2025-11-25 and 2026-07-28): PKCE is required of every client, S256 only.
  if (parsed.codeChallenge === undefined || parsed.codeChallengeMethod !== "S256") {
    return redirect(authorizationErrorRedirect(parsed, "invalid_request", "PKCE with code_challenge_method=S256 is required."));
  }
  const details = await oauth.describeConsent(parsed);
  const consent = await oauth.beginConsent(parsed);
  const scopes = parsed.scope.filter((s) => config.scopes.includes(s));
  const html = renderConsentPage({ details, handle: consent.handle, resource: parsed.resource!, scopes });
  return new Response(html, { headers: pageSecurityHeaders(consent.headers, { formAction: `'self' ${new URL(config.upstream.issuer).origin}`, inlineStyles: true }) });
}

/** POST /authorize: the consent form. Only after "approve" does the browser go to Auth0. */
export async function answerConsent(body: ReadBody, oauth: OAuthHelpers, config: FacadeConfig): Promise<Response> {
  const { request, form } = body as ReadBody & { form: URLSearchParams };
  // Consent CSRF: the form must be posted from the facade's own page (a browser names that page's
  // origin; the handle is also bound to this browser by the library's cookie — belt and braces).
  if (request.headers.get("origin") !== new URL(config.issuer).origin) {
    return errorPage(403, "The consent form must be submitted from the consent page itself. Start again from your MCP client.");
  }
  const handle = form.get("handle") ?? "";
  try {
    if (form.get("decision") !== "approve") {
      const denied = await oauth.denyConsent(request, handle);
      return new Response(null, { status: 302, headers: denied.headers });
    }
    const approved = await oauth.approveConsent(request, handle, { scope: form.getAll("scope").filter((s) => config.scopes.includes(s)) });
    const verifier = randomUrlSafe(48);
    const { state, headers } = await oauth.beginUpstream(approved.request, { data: { verifier } satisfies UpstreamData, headers: approved.headers });
    const location = await upstreamAuthorizeUrl(config, {
      resource: approved.request.resource!,
      scopes: approved.request.scope,
      state,
      codeChallenge: await s256(verifier),
    });
    return redirect(location, headers);
  } catch (error) {
    if (error instanceof AuthorizationError) return errorPage(400, "This consent page expired, was already used, or was opened in another browser. Start again from your MCP client.");
    throw error;
  }
}

/**
 * GET /callback: Auth0 sent the user back. The state must be this browser's (cookie-bound, single
 * use); Auth0's code is redeemed here, its token verified and dropped, and the MCP client gets
 * the facade's own code. Scopes granted = approved ∩ what Auth0 grants this user on the API.
 */
export async function finishSignIn(request: Request, oauth: OAuthHelpers, config: FacadeConfig): Promise<Response> {
  let resumed;
  try {
    resumed = await oauth.finishUpstream<UpstreamData>(request);
  } catch (error) {
    if (error instanceof AuthorizationError) return errorPage(400, "This sign-in expired, was already used, or was started in another browser. Start again from your MCP client.");
    throw error;
  }
  const { request: original, data, headers } = resumed;
  const params = new URL(request.url).searchParams;
  const code = params.get("code");
  if (params.get("error") !== null || code === null) {
    return redirect(authorizationErrorRedirect(original, "access_denied", "The user did not sign in."), headers);
  }
  const identity = await redeemUpstreamCode(config, code, data.verifier, original.resource!);
  const granted = original.scope.filter((s) => s === "offline_access" || identity.scopes.includes(s));
  const { redirectTo } = await oauth.completeAuthorization({
    request: original,
    userId: storageUserId(identity.subject),
    metadata: { upstream: "auth0" },
    scope: granted,
    props: { sub: identity.subject } satisfies GrantProps,
  });
  return redirect(redirectTo, headers);
}

async function parseOrAnswer(request: Request, oauth: OAuthHelpers) {
  try {
    return await oauth.parseAuthRequest(request);
  } catch (error) {
    if (error instanceof AuthorizationError) {
      if (error.redirectTo !== undefined) return redirect(error.redirectTo);
      return errorPage(400, `This sign-in request is invalid: ${error.description}`);
    }
    if (error instanceof CimdFetchError) return errorPage(400, "This app could not be verified: its client metadata document could not be fetched or is invalid.");
    throw error;
  }
}

/**
 * The library's tokens are `userId:grantId:secret` and sent as bearer tokens: the Auth0 subject
 * (`auth0|…`, `google-oauth2|…`) is base64url-encoded so the token keeps to RFC 6750's b64token
 * characters (plus the library's `:`). The subject itself travels in the grant's props.
 */
export function storageUserId(subject: string): string {
  return base64url(new TextEncoder().encode(subject));
}

/** RFC 4648 §5, unpadded. */
function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomUrlSafe(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

async function s256(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
}
