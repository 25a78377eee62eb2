/**
 * End to end, with a real OAuth client: the MCP SDK's own auth flow against the real local
 * authorization server and real workers under `wrangler dev`, started by the same code as
 * `npm run dev`. Steps: 401 → WWW-Authenticate → PRM → AS metadata → dynamic registration →
 * authorize with PKCE + resource (the dev login page driven over HTTP) → token → tools/call.
 */
import { existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { approveInBrowser } from "@edge-mcp/testing/dev-browser";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectModern, modernPost, postMcp } from "./helpers/modern-http.ts";
import { REDIRECT, TestOAuthProvider } from "./helpers/oauth-provider.ts";
import { freePort, startDevEnvironment, type DevEnvironment, type RunningServer } from "../src/index.ts";
import { workerExits } from "./helpers/worker-exits.ts";

const exits = workerExits();
let env: DevEnvironment;
let notes: RunningServer;
let hello: RunningServer;
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const stateDir = mkdtempSync(join(tmpdir(), "e2e-state-"));
const devStore = join(repoRoot, "workers", "notes", ".wrangler", "state");

/** Every file under a directory with its size and mtime: what `npm run dev`'s own store holds. */
function fingerprint(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .map((f) => `${f} ${statSync(f).size} ${statSync(f).mtimeMs}`)
    .sort();
}
const devStoreBefore = fingerprint(devStore);

/** Records every URL the client fetches, to show the discovery steps it went through. */
function recordingFetch(log: string[]): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const res = await fetch(input, init);
    log.push(`${init?.method ?? (input instanceof Request ? input.method : "GET")} ${new URL(url).pathname} ${res.status}`);
    return res;
  };
}

function postJson(url: string, token: string, body: unknown, sessionId?: string) {
  return postMcp(url, token, body, sessionId === undefined ? {} : { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-11-25" });
}

const INIT = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } };

beforeAll(async () => {
  env = await startDevEnvironment({
    onWorkerExit: exits.onWorkerExit,
    root: repoRoot,
    only: ["notes", "hello"],
    stateDir,
    ports: { issuer: await freePort(), workers: { notes: await freePort(), hello: await freePort() } },
    keyFile: join(mkdtempSync(join(tmpdir(), "e2e-")), "keys.json"),
  });
  notes = env.servers.find((s) => s.slug === "notes")!;
  hello = env.servers.find((s) => s.slug === "hello")!;
}, 180_000);

afterEach(exits.check);
afterAll(() => env?.stop(), 60_000);

describe("end to end with the MCP SDK's OAuth client", () => {
  it("discovers, registers, signs in with PKCE + resource, and calls a tool", async () => {
    const provider = new TestOAuthProvider();
    const log: string[] = [];
    const first = new StreamableHTTPClientTransport(new URL(notes.resource), { authProvider: provider, fetch: recordingFetch(log) });
    await expect(new Client({ name: "e2e", version: "1" }).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);

    // The client walked the discovery chain from the 401 to a registered client.
    expect(log[0]).toBe("POST /mcp 401");
    expect(log).toContain("GET /.well-known/oauth-protected-resource/mcp 200");
    expect(log).toContain("GET /.well-known/oauth-authorization-server 200");
    expect(log).toContain("POST /reg 201");
    const authorize = provider.authorizationUrl!;
    expect(authorize.searchParams.get("resource")).toBe(notes.resource);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");

    const back = await approveInBrowser(authorize);
    await first.finishAuth(back.searchParams.get("code")!);
    expect(provider.saved?.access_token).toEqual(expect.any(String));

    const client = new Client({ name: "e2e", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(new URL(notes.resource), { authProvider: provider }));
    const added = await client.callTool({ name: "add_note", arguments: { title: "From e2e", text: "signed in with PKCE" } });
    expect(added.isError).toBeFalsy();
    const listed = await client.callTool({ name: "list_notes", arguments: {} });
    expect(JSON.stringify(listed.structuredContent)).toContain("From e2e");
    await client.close();
  }, 120_000);

  it("answers a readonly token calling a tools.write tool with the 403 step-up challenge", async () => {
    const token = await userToken(notes.resource, "tools.read");
    const init = await postJson(notes.resource, token, INIT);
    const sessionId = init.headers.get("mcp-session-id")!;
    await init.body?.cancel();
    const res = await postJson(notes.resource, token, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "add_note", arguments: { title: "x", text: "y" } } }, sessionId);
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer error="insufficient_scope", error_description="This operation needs the scopes: tools.write.", scope="tools.write", resource_metadata="${notes.metadataUrl}"`,
    );
  }, 60_000);

  it("rejects a token for server A at server B (audience)", async () => {
    const token = await userToken(notes.resource, "tools.read");
    const res = await postJson(hello.resource, token, INIT);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(await res.json()).toMatchObject({ reason: "wrong_audience" });
  }, 60_000);

  it("refuses a client-credentials token to an anonymously registered client (machine access needs a grant)", async () => {
    const reg = await fetch(new URL("reg", env.issuer), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "e2e m2m", grant_types: ["client_credentials"], response_types: [], redirect_uris: [], token_endpoint_auth_method: "client_secret_basic" }),
    });
    const m2m = (await reg.json()) as { client_id: string; client_secret: string };
    const tokenRes = await fetch(new URL("token", env.issuer), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${m2m.client_id}:${m2m.client_secret}`).toString("base64")}` },
      body: new URLSearchParams({ grant_type: "client_credentials", resource: notes.resource, scope: "tools.write" }),
    });
    expect(tokenRes.status).toBe(400);
    const body = (await tokenRes.json()) as Record<string, unknown>;
    expect(body.error).toBe("unauthorized_client");
    expect(body).not.toHaveProperty("access_token");
  }, 60_000);

  it("serves MCP 2026-07-28 too: a 2.x client adds and lists notes statelessly with a token from the local authorization server", async () => {
    const token = await userToken(notes.resource, "tools.read tools.write");
    const client = await connectModern(notes.resource, token);
    expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
    const added = await client.callTool({ name: "add_note", arguments: { title: "From a modern client", text: "no session" } });
    expect(added.isError).toBeFalsy();
    const listed = await client.callTool({ name: "list_notes", arguments: {} });
    expect(JSON.stringify(listed.structuredContent)).toContain("From a modern client");
    await client.close();
  }, 60_000);

  it("answers a modern read-only token calling add_note with the same 403 step-up challenge", async () => {
    const token = await userToken(notes.resource, "tools.read");
    const res = await modernPost(notes.resource, token, "tools/call", { name: "add_note", arguments: { title: "x", text: "y" } }, undefined, 5);
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
  }, 60_000);

  it("kept its notes in the test's own state directory, leaving npm run dev's store alone", () => {
    expect(fingerprint(stateDir).length).toBeGreaterThan(0);
    expect(fingerprint(devStore)).toEqual(devStoreBefore);
  });
});

/** A user token for one resource and scope, via the real authorization-code + PKCE flow. */
async function userToken(resource: string, scope: string): Promise<string> {
  const reg = await fetch(new URL("reg", env.issuer), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "none", grant_types: ["authorization_code"] }),
  });
  const { client_id } = (await reg.json()) as { client_id: string };
  const verifier = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  const challenge = Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))).toString("base64url");
  const authorize = new URL("auth", env.issuer);
  for (const [k, v] of Object.entries({ client_id, response_type: "code", redirect_uri: REDIRECT, scope, resource, code_challenge: challenge, code_challenge_method: "S256" })) {
    authorize.searchParams.set(k, v);
  }
  const back = await approveInBrowser(authorize);
  const res = await fetch(new URL("token", env.issuer), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code: back.searchParams.get("code")!, redirect_uri: REDIRECT, client_id, code_verifier: verifier, resource }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}
