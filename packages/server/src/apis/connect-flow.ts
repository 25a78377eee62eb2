import { createPkce, createTokenVerifier, discoverAuthorizationServer, openSealed, randomToken, seal } from "@edge-mcp/auth";
import type { ServerConfig } from "../base/config.ts";
import { apisConfigOf } from "./apis-config.ts";
import { connectPage } from "./connect-page.ts";
import { verifyTicket } from "./connect-ticket.ts";

/** How long the browser may take through sign-in and the provider's consent, in milliseconds. */
const CONNECT_FLOW_TTL_MS = 10 * 60_000;
/** What the connect flow asks the authorization server for: a My Account API token to connect accounts with. */
const MY_ACCOUNT_SCOPE = "openid create:me:connected_accounts";

interface FlowState extends Record<string, unknown> {
  readonly sub: string;
  readonly api: string;
  readonly state: string;
  readonly verifier?: string;
  readonly authSession?: string;
  readonly myAccountToken?: string;
}

const cookieName = (origin: string) => (origin.startsWith("https://") ? "__Host-edge-mcp-connect" : "edge-mcp-connect");
const cookie = (origin: string, value: string, maxAgeMs: number) => `${cookieName(origin)}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(maxAgeMs / 1000)}${origin.startsWith("https://") ? "; Secure" : ""}`;
const readCookie = (request: Request, origin: string) => new RegExp(`(?:^|;\\s*)${cookieName(origin)}=([^;]+)`).exec(request.headers.get("cookie") ?? "")?.[1];
const redirect = (location: string, setCookie: string) => new Response(null, { status: 302, headers: { location, "set-cookie": setCookie, "cache-control": "no-store" } });

/**
 * The account-connect flow a URL elicitation sends the user to (`/connect/{api}?ticket=…`), the
 * server side of Auth0's Connected Accounts: (1) sign the user in at the authorization server for
 * a My Account API token — as the user the link was made for, nobody else; (2) ask the My Account
 * API to connect the API's connection and send the browser to the provider's consent; (3) complete
 * it when the browser comes back. Undefined for paths it does not serve.
 */
export async function handleConnect(request: Request, env: object, config: ServerConfig): Promise<Response | undefined> {
  const url = new URL(request.url);
  if (!url.pathname.startsWith("/connect/") || request.method !== "GET") return undefined;
  const { apis, connectClient } = apisConfigOf(env);
  const key = config.requestStateKey;
  if (connectClient === undefined || key === undefined || config.auth.disabled || config.auth.mode !== "auth0") return connectPage(404, "Nothing to connect", "This server connects no accounts.");
  const issuer = config.auth.issuer;
  const origin = url.origin;
  const step = url.pathname.slice("/connect/".length);
  const { authorization_endpoint, token_endpoint } = await discoverAuthorizationServer(issuer);
  const myAccount = `${issuer}me/`;

  if (step === "callback" || step === "complete") {
    const flow = await openSealed<FlowState>(key, "connect", readCookie(request, origin));
    if (flow === undefined || url.searchParams.get("state") !== flow.state) return connectPage(400, "This connect link expired", "Start again from your MCP client: call the tool again to get a fresh link.");
    const api = apis.get(flow.api);
    if (api?.kind !== "third-party") return connectPage(404, "Nothing to connect", "This server does not declare that API any more.");
    if (step === "callback") {
      const iss = url.searchParams.get("iss");
      if (iss !== null && iss !== issuer) return connectPage(400, "Refused", "The answer came from another authorization server (RFC 9207).");
      const tokenRes = await fetch(token_endpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams({ grant_type: "authorization_code", code: url.searchParams.get("code") ?? "", redirect_uri: `${origin}/connect/callback`, code_verifier: flow.verifier ?? "", client_id: connectClient.id, client_secret: connectClient.secret, resource: myAccount }),
      });
      const myAccountToken = tokenRes.ok ? ((await tokenRes.json()) as { access_token?: unknown }).access_token : undefined;
      if (typeof myAccountToken !== "string") return connectPage(502, "Sign-in failed", `The authorization server did not issue a token (HTTP ${tokenRes.status}).`);
      const signedIn = await createTokenVerifier({ issuer, audiences: [myAccount], ...(config.auth.jwksUri === undefined ? {} : { jwksUri: config.auth.jwksUri }) }).verify(myAccountToken).catch(() => undefined);
      // The account goes to the user who asked for the link, never to whoever signed in on the way.
      if (signedIn?.subject !== flow.sub) return connectPage(403, "Another user", "You signed in as a different user than the one this link was made for. Sign in as yourself and try again.");
      const state = randomToken();
      // PKCE binds the connect code to this flow too (the My Account API's connect/complete take it).
      const pkce = await createPkce();
      const started = await fetch(`${myAccount}v1/connected-accounts/connect`, {
        method: "POST",
        headers: { authorization: `Bearer ${myAccountToken}`, "content-type": "application/json" },
        body: JSON.stringify({ connection: api.connection, redirect_uri: `${origin}/connect/complete`, state, scopes: api.scopes, code_challenge: pkce.challenge, code_challenge_method: "S256" }),
      });
      const body = (await started.json().catch(() => ({}))) as { auth_session?: string; connect_uri?: string; connect_params?: { ticket?: string } };
      if (!started.ok || body.connect_uri === undefined || body.auth_session === undefined) return connectPage(502, "Could not connect", `The My Account API refused to start connecting ${api.connection} (HTTP ${started.status}).`);
      const next = await seal(key, "connect", { sub: flow.sub, api: flow.api, state, verifier: pkce.verifier, authSession: body.auth_session, myAccountToken }, Date.now() + CONNECT_FLOW_TTL_MS);
      const to = new URL(body.connect_uri);
      if (body.connect_params?.ticket !== undefined) to.searchParams.set("ticket", body.connect_params.ticket);
      return redirect(to.toString(), cookie(origin, next, CONNECT_FLOW_TTL_MS));
    }
    const completed = await fetch(`${myAccount}v1/connected-accounts/complete`, {
      method: "POST",
      headers: { authorization: `Bearer ${flow.myAccountToken ?? ""}`, "content-type": "application/json" },
      body: JSON.stringify({ auth_session: flow.authSession, connect_code: url.searchParams.get("connect_code"), redirect_uri: `${origin}/connect/complete`, code_verifier: flow.verifier }),
    });
    const done = new Response(null, { headers: { "set-cookie": cookie(origin, "", 0) } });
    if (!completed.ok) return connectPage(502, "Could not connect", `The My Account API did not complete the connection (HTTP ${completed.status}). Try again from your MCP client.`, done.headers);
    return connectPage(200, `Your ${api.connection} account is connected`, "Return to your MCP client: the call continues (or call the tool again).", done.headers);
  }

  // Step 0: a link from a URL elicitation.
  const api = apis.get(step);
  const ticket = await verifyTicket(key, url.searchParams.get("ticket"));
  if (api?.kind !== "third-party" || ticket === undefined || ticket.api !== step) return connectPage(400, "This connect link is not valid", "It expired or was altered: call the tool again from your MCP client for a fresh link.");
  const state = randomToken();
  const { verifier, challenge } = await createPkce();
  const to = new URL(authorization_endpoint);
  for (const [k, v] of Object.entries({ response_type: "code", client_id: connectClient.id, redirect_uri: `${origin}/connect/callback`, scope: MY_ACCOUNT_SCOPE, audience: myAccount, resource: myAccount, state, code_challenge: challenge, code_challenge_method: "S256" })) to.searchParams.set(k, v);
  const sealed = await seal(key, "connect", { sub: ticket.sub, api: step, state, verifier }, Date.now() + CONNECT_FLOW_TTL_MS);
  return redirect(to.toString(), cookie(origin, sealed, CONNECT_FLOW_TTL_MS));
}
