/**
 * A Client ID Metadata Document client signing in through the OAuth facade, end to end, with the
 * MCP SDK's own OAuth client (`clientMetadataUrl`): no registration anywhere. The client's
 * document is published on `https://cimd.example.com` by this test (Miniflare's outbound hook
 * answers the facade's fetch — the library accepts only https client ids, and local workerd
 * cannot reach an https server on loopback it trusts); everything else is real: the facade,
 * notes and hello workers bundled as uploaded, the Auth0 stand-in, the consent and sign-in pages.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadOrCreateSigningKey, startDevAuthServer, type DevAuthServer } from "@edge-mcp/dev-auth";
import { signInThroughFacade } from "@edge-mcp/testing/dev-browser";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REDIRECT, TestOAuthProvider } from "./helpers/oauth-provider.ts";
import { freePort } from "../src/index.ts";
import { startMiniflareFleet, type MiniflareFleet } from "../src/miniflare-fleet.ts";

const CLIENT_ID = "https://cimd.example.com/mcp-client.json";
const repo = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

/** The SDK's provider, identifying itself by its metadata document instead of registering. */
class CimdProvider extends TestOAuthProvider {
  readonly clientMetadataUrl = CLIENT_ID;
}

let fleet: MiniflareFleet;
let upstream: DevAuthServer;
let facade: string;
let notes: string;
let hello: string;
const fetched: string[] = [];

beforeAll(async () => {
  const port = { facade: await freePort(), upstream: await freePort(), notes: await freePort(), hello: await freePort() };
  facade = `http://127.0.0.1:${port.facade}`;
  notes = `http://127.0.0.1:${port.notes}/mcp`;
  hello = `http://127.0.0.1:${port.hello}/mcp`;
  const upstreamIssuer = `http://localhost:${port.upstream}/`;
  const facadeClient = { clientId: "e2e-facade", clientSecret: crypto.randomUUID() + crypto.randomUUID(), redirectUri: `${facade}/callback` };
  const scopes = { notes: ["resources.read", "prompts.read", "tools.read", "tools.write"], hello: ["resources.read", "prompts.read", "tools.read"] };
  upstream = await startDevAuthServer({
    issuer: upstreamIssuer,
    port: port.upstream,
    signingKey: await loadOrCreateSigningKey(join(mkdtempSync(join(tmpdir(), "e2e-cimd-")), "keys.json")),
    user: { sub: "dev|alice", name: "Alice Developer", email: "alice@example.dev" },
    resourceServers: [
      { slug: "notes", name: "Notes", identifier: notes, scopes: scopes.notes },
      { slug: "hello", name: "Hello", identifier: hello, scopes: scopes.hello },
    ],
    facadeClient,
    registration: false,
  });
  const server = (name: string, slug: "notes" | "hello", p: number, resource: string) => ({
    name,
    config: repo(`workers/${slug}/wrangler.toml`),
    port: p,
    bindings: { MCP_RESOURCE: resource, MCP_SCOPES: scopes[slug].join(" "), AUTH_MODE: "facade", AUTH_ISSUER: facade, ENVIRONMENT: "test" },
    services: { AUTH_SERVER: "oauth-facade" },
  });
  fleet = await startMiniflareFleet(
    [
      {
        name: "oauth-facade",
        config: repo("workers/oauth/wrangler.toml"),
        port: port.facade,
        bindings: {
          FACADE_ISSUER: facade,
          FACADE_RESOURCES: `${notes} ${hello}`,
          FACADE_SCOPES: [...new Set([...scopes.notes, ...scopes.hello])].join(" "),
          UPSTREAM_ISSUER: upstreamIssuer,
          UPSTREAM_CLIENT_ID: facadeClient.clientId,
          UPSTREAM_CLIENT_SECRET: facadeClient.clientSecret,
          ENVIRONMENT: "test",
        },
      },
      server("notes-mcp", "notes", port.notes, notes),
      server("hello-mcp", "hello", port.hello, hello),
    ],
    {
      // The client's publisher: its metadata document; everything else goes where it is addressed.
      outbound: async (request) => {
        if (request.url !== CLIENT_ID) return undefined;
        fetched.push(request.url);
        return Response.json(
          { client_id: CLIENT_ID, client_name: "CIMD e2e client", redirect_uris: [REDIRECT], token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"], response_types: ["code"] },
          { headers: { "cache-control": "max-age=300" } },
        );
      },
    },
  );
}, 180_000);

afterAll(async () => {
  await fleet?.dispose();
  await upstream?.close();
}, 60_000);

/** Every URL the client fetches, to show the steps it took. */
function recordingFetch(log: string[]): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const res = await fetch(input, init);
    log.push(`${init?.method ?? "GET"} ${new URL(url).pathname} ${res.status}`);
    return res;
  };
}

async function signIn(resource: string, provider: CimdProvider): Promise<Client> {
  const log: string[] = [];
  const first = new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider, fetch: recordingFetch(log) });
  await expect(new Client({ name: "cimd-e2e", version: "1" }).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
  // The client found the facade and, since it advertises CIMD, registered nowhere.
  expect(log.some((line) => line.includes("/register"))).toBe(false);
  const authorize = provider.authorizationUrl!;
  expect(authorize.origin).toBe(facade);
  expect(authorize.searchParams.get("client_id")).toBe(CLIENT_ID);
  const back = await signInThroughFacade(authorize);
  expect(back.searchParams.get("iss")).toBe(facade);
  await first.finishAuth(back.searchParams.get("code")!);
  const client = new Client({ name: "cimd-e2e", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider }));
  return client;
}

describe("a CIMD client through the OAuth facade, with the MCP SDK client", () => {
  it("signs in with its metadata document URL as client_id and calls tools on two servers", async () => {
    const notesClient = await signIn(notes, new CimdProvider());
    expect(fetched).toContain(CLIENT_ID); // the facade fetched the document
    const added = await notesClient.callTool({ name: "add_note", arguments: { title: "From a CIMD client", text: "no registration" } });
    expect(added.isError).toBeFalsy();
    const listed = await notesClient.callTool({ name: "list_notes", arguments: {} });
    expect(JSON.stringify(listed.structuredContent)).toContain("From a CIMD client");
    await notesClient.close();

    const helloClient = await signIn(hello, new CimdProvider());
    const who = await helloClient.callTool({ name: "whoami", arguments: {} });
    // The servers see the Auth0 user and the document URL as the client.
    expect(who.structuredContent).toMatchObject({ subject: "dev|alice", clientId: CLIENT_ID });
    await helloClient.close();
  }, 120_000);
});
