import { Hono, type Context } from "hono";
import { getCookie } from "hono/cookie";
import { OPERATOR_SCOPE } from "@edge-mcp/auth";
import { analyticsEngineSource, AnalyticsEngineError } from "./analytics-engine-source.ts";
import { BadQueryError, calls, metrics, overview } from "./console-api.ts";
import { consoleConfig, ConsoleConfigError, type ConsoleConfig } from "./console-config.ts";
import { localSource, TelemetryIngest, TelemetryStore } from "./local-store.ts";
import { checkToken, tokenOf } from "./operator-access.ts";
import { consolePage, messagePage } from "./pages.ts";
import { cookieNames, finishSignIn, signOut, startSignIn } from "./sign-in.ts";
import type { TelemetrySource } from "./telemetry-source.ts";

export { TelemetryIngest, TelemetryStore };

type Env = { TELEMETRY_STORE: DurableObjectNamespace<TelemetryStore> } & Record<string, unknown>;
type AppEnv = { Bindings: Env; Variables: { config: ConsoleConfig; operator: string } };

const REALM = 'Bearer realm="edge-mcp-console"';

function sourceOf(config: ConsoleConfig, env: Env): TelemetrySource {
  return config.TELEMETRY_SOURCE === "analytics-engine" ? analyticsEngineSource(config) : localSource(env);
}

/**
 * The operator gate for the page and its API: a verified token for the console's audience with
 * the operator scope, from the session cookie (or a bearer header). The page sends a visitor
 * without one to sign in; the API answers 401/403 with RFC 6750 challenges.
 */
async function admit(c: Context<AppEnv>, mode: "page" | "api"): Promise<Response | undefined> {
  const config = c.get("config");
  const check = await checkToken(config, await tokenOf(config, c.req.raw, getCookie(c, cookieNames(new URL(c.req.url).origin).session)));
  if (check.ok) {
    c.set("operator", check.subject);
    return undefined;
  }
  if (mode === "page") {
    if (check.status === 401) return c.redirect("/login", 302);
    return messagePage(403, "Not an operator", `You are signed in as ${check.subject}, who does not hold the operator scope (${OPERATOR_SCOPE}). Ask for the operator role, then sign in again.`);
  }
  const challenge = check.status === 403 ? `${REALM}, error="insufficient_scope", scope="${OPERATOR_SCOPE}"` : check.reason === "invalid_token" ? `${REALM}, error="invalid_token"` : REALM;
  const message = check.status === 403 ? `the operator scope ${OPERATOR_SCOPE} is required` : "sign in to the console first";
  return c.json({ error: check.status === 403 ? "insufficient_scope" : "unauthorized", message }, check.status, { "www-authenticate": challenge, "cache-control": "no-store" });
}

const app = new Hono<AppEnv>();

app.onError((error, c) => {
  const api = c.req.path.startsWith("/api/");
  if (error instanceof ConsoleConfigError) return api ? c.json({ error: "misconfigured", message: error.message }, 500) : messagePage(500, "The console is misconfigured", error.message);
  if (error instanceof BadQueryError) return c.json({ error: "bad_query", message: error.message }, 400);
  if (error instanceof AnalyticsEngineError) return c.json({ error: error.code, message: error.message }, 502);
  console.error(JSON.stringify({ level: "error", message: "console: unhandled error", error: error instanceof Error ? error.name : "unknown" }));
  return api ? c.json({ error: "internal_error" }, 500) : messagePage(500, "Something went wrong", "Try again; the console's log has the error.");
});

// Public, and says nothing about the fleet: for uptime checks and `npm run dev`'s readiness wait.
app.get("/health", (c) => c.json({ status: "ok" }, 200, { "cache-control": "no-store" }));

app.use("*", async (c, next) => {
  c.set("config", consoleConfig(c.env));
  await next();
});

app.get("/login", (c) => startSignIn(c, c.get("config")));
app.get("/callback", (c) => finishSignIn(c, c.get("config")));
app.post("/logout", (c) => signOut(c));
app.get("/signed-out", () => messagePage(200, "Signed out", "You are signed out of the edge-mcp console."));

app.get("/", async (c) => (await admit(c, "page")) ?? consolePage(c.get("operator")));

app.use("/api/*", async (c, next) => (await admit(c, "api")) ?? next());
app.get("/api/overview", async (c) => c.json(await overview(c.get("config"), c.env, sourceOf(c.get("config"), c.env)), 200, { "cache-control": "no-store" }));
app.get("/api/metrics", async (c) => c.json(await metrics(c.req.query(), sourceOf(c.get("config"), c.env)), 200, { "cache-control": "no-store" }));
app.get("/api/calls", async (c) => c.json(await calls(c.req.query(), sourceOf(c.get("config"), c.env)), 200, { "cache-control": "no-store" }));

export default app;
