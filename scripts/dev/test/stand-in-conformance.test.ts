/**
 * The local authorization server — the Auth0 stand-in every default `npm run dev` user signs in at —
 * against `conformance authorization` (the same run as the facade's, `facade-conformance.test.ts`),
 * and the case that suite found: a client asking for a resource with no scope (its server's metadata
 * lists none) is signed in with a token carrying no resource scopes, as Auth0 does; the server's 403
 * `insufficient_scope` challenge then leads the SDK client to sign in again for the scopes it names.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { approveInBrowser } from "@edge-mcp/testing/dev-browser";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort, startDevEnvironment, type DevEnvironment, type RunningServer } from "../src/index.ts";
import { conformanceCounts, runConformanceAuthorization } from "./helpers/conformance-authorization.ts";
import { REDIRECT, TestOAuthProvider } from "./helpers/oauth-provider.ts";
import { workerExits } from "./helpers/worker-exits.ts";

const exits = workerExits();
let env: DevEnvironment;
let hello: RunningServer;
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

beforeAll(async () => {
  env = await startDevEnvironment({
    onWorkerExit: exits.onWorkerExit,
    root: repoRoot,
    only: ["hello"],
    stateDir: mkdtempSync(join(tmpdir(), "stand-in-conformance-state-")),
    ports: { issuer: await freePort(), workers: { hello: await freePort() } },
    keyFile: join(mkdtempSync(join(tmpdir(), "stand-in-conformance-")), "keys.json"),
  });
  hello = env.servers.find((s) => s.slug === "hello")!;
}, 180_000);

afterEach(exits.check);
afterAll(() => env?.stop(), 60_000);

/** A public client registered at the stand-in (its open DCR endpoint, as Auth0's). */
async function register(redirect: string): Promise<string> {
  const reg = await fetch(new URL("reg", env.issuer), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_name: "conformance", redirect_uris: [redirect], token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"], response_types: ["code"] }),
  });
  expect(reg.status).toBe(201);
  return ((await reg.json()) as { client_id: string }).client_id;
}

describe("conformance authorization against the local authorization server", () => {
  it("passes every authorization-server check (its issuer with the trailing slash), the authorization-code grant included", async () => {
    const run = await runConformanceAuthorization({ repoRoot, url: env.issuer, resource: hello.resource, register, person: (url) => approveInBrowser(url) });
    expect(run.signedIn, run.output).toBe(true);
    expect(run.output).toMatch(/✓ authorization-server-metadata-endpoint: \d+ passed, 0 failed/);
    expect(run.output).toMatch(/✓ authorization-code-grant: 1 passed, 0 failed/);
    expect(conformanceCounts(run.output)?.failed, run.output).toBe(0);
    expect(conformanceCounts(run.output)?.passed).toBeGreaterThanOrEqual(3);
    expect(run.exitCode, run.output).toBe(0);
  }, 120_000);
});

describe("a resource asked for with no scope", () => {
  it("gets a token with no resource scopes; the server's 403 challenge then gets the SDK client a second sign-in with the scopes it names", async () => {
    const provider = new TestOAuthProvider();
    const clientId = await register(REDIRECT);
    provider.saveClientInformation({ client_id: clientId, redirect_uris: [REDIRECT] });
    // First sign-in: the resource, and no scope (a client whose server's metadata lists none).
    const verifier = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
    const challenge = Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))).toString("base64url");
    const authorize = new URL("auth", env.issuer);
    for (const [k, v] of Object.entries({ client_id: clientId, response_type: "code", redirect_uri: REDIRECT, resource: hello.resource, code_challenge: challenge, code_challenge_method: "S256", state: "s" })) authorize.searchParams.set(k, v);
    const back = await approveInBrowser(authorize);
    expect(back.searchParams.get("error")).toBeNull();
    const tokenRes = await fetch(new URL("token", env.issuer), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", code: back.searchParams.get("code")!, redirect_uri: REDIRECT, client_id: clientId, code_verifier: verifier, resource: hello.resource }),
    });
    expect(tokenRes.status).toBe(200);
    const first = (await tokenRes.json()) as { access_token: string; token_type: string };
    const claims = JSON.parse(Buffer.from(first.access_token.split(".")[1]!, "base64url").toString()) as { scope?: string; permissions?: string[]; aud: string };
    expect(claims.aud).toBe(hello.resource);
    expect(claims.permissions ?? []).toEqual([]);
    provider.saveTokens({ access_token: first.access_token, token_type: "Bearer" });

    // The SDK client with that token: the server answers 403 insufficient_scope naming tools.read;
    // the client asks to sign in again for it (the person approves), then the call goes through.
    const scopeless = new Client({ name: "step-up", version: "1" });
    await scopeless.connect(new StreamableHTTPClientTransport(new URL(hello.resource), { authProvider: provider })); // initialize needs no scope
    const stepUp = await scopeless.callTool({ name: "echo", arguments: { text: "no scope yet" } }).catch((error: unknown) => error);
    expect(stepUp).toBeInstanceOf(UnauthorizedError);
    await scopeless.close();
    expect(provider.authorizationUrl?.searchParams.get("scope")).toContain("tools.read");
    const again = await approveInBrowser(provider.authorizationUrl!);
    const transport = new StreamableHTTPClientTransport(new URL(hello.resource), { authProvider: provider });
    await transport.finishAuth(again.searchParams.get("code")!);
    const client = new Client({ name: "step-up", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(new URL(hello.resource), { authProvider: provider }));
    const echoed = await client.callTool({ name: "echo", arguments: { text: "stepped up" } });
    expect(JSON.stringify(echoed.content)).toContain("stepped up");
    await client.close();
  }, 120_000);
});
