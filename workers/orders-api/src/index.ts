/**
 * orders-api: what a customer's own API does with a token an MCP server exchanged on the user's
 * behalf (RFC 8693). It checks what any resource server checks — signature, issuer, its own
 * audience, expiry — and then that the token is delegated: `act.sub` names an actor it trusts (the
 * MCP server's exchanging client), and the scope it needs is there. It answers with the user's
 * orders and what it saw (sub, actor, scope: never the token).
 */
import { createTokenVerifier, extractBearerToken, hasScopes, isAuthFailure, type TokenVerifier } from "@edge-mcp/auth";
import { Hono } from "hono";

interface Env {
  API_ISSUER: string;
  API_AUDIENCE: string;
  API_TRUSTED_ACTORS: string;
  API_JWKS_URI?: string;
}

const verifiers = new WeakMap<object, TokenVerifier>();
function verifierFor(env: Env): TokenVerifier {
  let verifier = verifiers.get(env);
  if (verifier === undefined) verifiers.set(env, (verifier = createTokenVerifier({ issuer: env.API_ISSUER, audiences: [env.API_AUDIENCE], ...(env.API_JWKS_URI === undefined ? {} : { jwksUri: env.API_JWKS_URI }) })));
  return verifier;
}

const challenge = (error: string) => ({ "www-authenticate": `Bearer realm="orders-api", error="${error}"` });
const app = new Hono<{ Bindings: Env }>();

app.get("/orders", async (c) => {
  let caller;
  try {
    caller = await verifierFor(c.env).verify(await extractBearerToken(c.req.raw));
  } catch (error) {
    if (isAuthFailure(error)) return c.json({ error: "invalid_token" }, 401, challenge("invalid_token"));
    throw error;
  }
  const act = (caller.claims as { act?: { sub?: unknown } }).act;
  const trusted = c.env.API_TRUSTED_ACTORS.split(/[\s,]+/).filter((a) => a !== "");
  // Delegated, by an actor this API trusts: a user's own token for this API (no act) is not how MCP servers come.
  if (typeof act?.sub !== "string" || !trusted.includes(act.sub)) return c.json({ error: "untrusted_actor" }, 403, challenge("insufficient_scope"));
  if (!hasScopes(caller, ["orders.read"])) return c.json({ error: "insufficient_scope" }, 403, challenge("insufficient_scope"));
  const orders = [1, 2].map((n) => ({ id: `${caller.subject.replace(/[^A-Za-z0-9]/g, "")}-${n}`, total: n * 21, currency: "EUR" }));
  return c.json({ orders, seen: { sub: caller.subject, actor: act.sub, scope: caller.scopes.join(" "), audience: c.env.API_AUDIENCE } });
});

app.get("/health", (c) => c.json({ status: "ok" }));

export default app;
