/**
 * The gateway with the fleet behind it, end to end: real workers under `wrangler dev` (started by
 * the same code as `npm run dev`), service bindings to each backend's McpBackend entrypoint through
 * a private dev registry, real tokens from the local authorization server, real MCP SDK clients.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { CreateMessageRequestSchema, ElicitRequestSchema, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { loadOrCreateSigningKey, mintAccessToken } from "@edge-mcp/dev-auth";
import { approveInBrowser } from "@edge-mcp/testing/dev-browser";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { binOf, freePort, startDevEnvironment, type DevEnvironment, type RunningServer } from "../src/index.ts";
import { connectModern, messagesOf, modernPost, sseReader } from "./helpers/modern-http.ts";
import { TestOAuthProvider } from "./helpers/oauth-provider.ts";
import { workerExits } from "./helpers/worker-exits.ts";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const stateDir = mkdtempSync(join(tmpdir(), "gateway-state-"));
const SLUGS = ["gateway", "notes", "hello", "live-monitor", "conformance"] as const;
let env: DevEnvironment;
const exits = workerExits();
const server = (slug: string): RunningServer => env.servers.find((s) => s.slug === slug)!;

async function tokenFor(slug: string, subject: string, scopes?: readonly string[]): Promise<string> {
  const key = await loadOrCreateSigningKey(env.keyFile);
  const s = server(slug);
  return mintAccessToken(key, { issuer: env.issuer, audience: s.resource, subject, clientId: "gateway-test", scopes: [...(scopes ?? s.scopes)], expiresInSeconds: 900 });
}

const modernClient = (slug: string, token: string) => connectModern(server(slug).resource, token);

async function toolNames(client: { listTools(): Promise<{ tools: Array<{ name: string }> }> }): Promise<string[]> {
  return (await client.listTools()).tools.map((t) => t.name).sort();
}

/** Every tool of a backend, asked of the backend itself, under its gateway name. */
async function backendTools(slug: string): Promise<string[]> {
  const client = await modernClient(slug, await tokenFor(slug, "dev|alice"));
  const names = (await toolNames(client)).map((n) => `${slug}__${n}`);
  await client.close();
  return names;
}

/** What `npm run provision` does in production (a KV write), done to the gateway's local KV. */
async function pushRules(rules: unknown): Promise<void> {
  const file = join(mkdtempSync(join(tmpdir(), "rules-")), "rules.json");
  writeFileSync(file, JSON.stringify(rules));
  const cwd = join(repoRoot, "workers", "gateway");
  const args = [binOf("wrangler", "wrangler", cwd), "kv", "key", "put", "rules", "--path", file, "--binding", "GATEWAY_RULES", "--local", "--persist-to", join(stateDir, "gateway")];
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += String(d)));
    child.on("close", (c) => resolve({ code: c, stderr: err }));
  });
  if (code !== 0) throw new Error(`wrangler kv key put failed: ${stderr}`);
}

beforeAll(async () => {
  const workers: Record<string, number> = {};
  for (const slug of SLUGS) workers[slug] = await freePort();
  env = await startDevEnvironment({
    root: repoRoot,
    only: SLUGS,
    stateDir,
    ports: { issuer: await freePort(), workers },
    keyFile: join(mkdtempSync(join(tmpdir(), "gateway-keys-")), "keys.json"),
    // This fleet's own limit: on a busy machine a backend's answer may take longer than the shipped
    // 2 s without being down (a call hitting it answered "unreachable" once: issue 23 §13).
    workerVars: { gateway: { GATEWAY_BACKEND_TIMEOUT_MS: "20000" } },
    onWorkerExit: exits.onWorkerExit,
    ...(process.env.GATEWAY_TEST_DEBUG ? { onWorkerOutput: (slug: string, line: string) => console.log(`[${slug}] ${line}`) } : {}),
  });
}, 240_000);

afterEach(exits.check);
afterAll(() => env?.stop(), 60_000);

describe("gateway: one endpoint for the fleet", () => {
  it("alice signs in through the local authorization server and sees exactly her tools from notes, hello and live-monitor", async () => {
    const gateway = server("gateway");
    const provider = new TestOAuthProvider();
    const first = new StreamableHTTPClientTransport(new URL(gateway.resource), { authProvider: provider });
    await expect(new Client({ name: "gateway-e2e", version: "1" }).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.authorizationUrl!.searchParams.get("resource")).toBe(gateway.resource);
    const back = await approveInBrowser(provider.authorizationUrl!);
    await first.finishAuth(back.searchParams.get("code")!);

    const client = new Client({ name: "gateway-e2e", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.resource), { authProvider: provider }));
    // The shipped rules: notes (but not delete_note), hello and live-monitor; nothing of conformance.
    const expected = [...(await backendTools("notes")).filter((n) => n !== "notes__delete_note"), ...(await backendTools("hello")), ...(await backendTools("live-monitor"))].sort();
    expect(expected).toContain("notes__add_note");
    expect(await toolNames(client)).toEqual(expected);

    const who = await client.callTool({ name: "hello__whoami", arguments: {} });
    expect(who.structuredContent).toMatchObject({ subject: "dev|alice", clientId: provider.info!.client_id });
    const added = await client.callTool({ name: "notes__add_note", arguments: { title: "alice only", text: "secret of alice" } });
    expect(added.isError).toBeFalsy();
    const listed = await client.callTool({ name: "notes__list_notes", arguments: {} });
    expect(JSON.stringify(listed.structuredContent)).toContain("alice only");
    await client.close();
  }, 120_000);

  it("bob sees only hello's tools, and a denied tool called by name gets the unknown-tool error", async () => {
    const token = await tokenFor("gateway", "dev|bob");
    const client = await modernClient("gateway", token);
    expect(await toolNames(client)).toEqual(await backendTools("hello"));
    await client.close();

    const denied = (await messagesOf(await modernPost(server("gateway").resource, token, "tools/call", { name: "notes__list_notes", arguments: {} }, undefined, 7))).at(-1)!;
    const unknown = (await messagesOf(await modernPost(server("gateway").resource, token, "tools/call", { name: "nothing__here", arguments: {} }, undefined, 7))).at(-1)!;
    expect(denied).toMatchObject({ id: 7, error: { code: -32602 } });
    // Same code, same wording: nothing tells bob that notes__list_notes exists.
    expect(JSON.stringify(denied).replace("notes__list_notes", "X")).toBe(JSON.stringify(unknown).replace("nothing__here", "X"));
  }, 60_000);

  it("refuses a token issued for a backend (audience): 401 at the gateway", async () => {
    const res = await modernPost(server("gateway").resource, await tokenFor("notes", "dev|alice"), "tools/list", {});
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(await res.json()).toMatchObject({ reason: "wrong_audience" });
  }, 30_000);

  it("rules changed at runtime: bob's listener hears list_changed and his next list is the new one, with no restart", async () => {
    const token = await tokenFor("gateway", "dev|bob");
    const bobRules = (name: string, allow = ["hello.*", "notes.list_notes", "conformance.test_*"]) => ({
      rules: [
        { name: "alice", when: { sub: "dev|alice" }, allow: ["notes.*", "hello.*", "live-monitor.*", "!notes.delete_note"] },
        // Prompts have rules of their own: allowing conformance's tools exposes none of its prompts.
        { name, when: { sub: "dev|bob" }, allow, prompts: ["conformance.*"] },
      ],
    });
    // bob's 2025 client, its session opened before the change: the session follows the rules too
    // (the gateway runs its setup again before each request of a session).
    const legacy = new Client({ name: "gateway-legacy", version: "1" }, { capabilities: { elicitation: {}, sampling: {} } });
    let legacyListChanged = 0;
    legacy.setNotificationHandler(ToolListChangedNotificationSchema, () => void legacyListChanged++);
    legacy.setRequestHandler(ElicitRequestSchema, (request) => ({ action: "accept" as const, content: "message" in request.params && request.params.message.includes("color") ? { color: "teal" } : { name: "Bob" } }));
    legacy.setRequestHandler(CreateMessageRequestSchema, () => ({ role: "assistant" as const, content: { type: "text" as const, text: "Paris" }, model: "stand-in" }));
    await legacy.connect(new StreamableHTTPClientTransport(new URL(server("gateway").resource), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    expect(await toolNames(legacy)).toEqual(await backendTools("hello"));
    const listenOnGateway = async () => {
      const abort = new AbortController();
      const listen = await modernPost(server("gateway").resource, token, "subscriptions/listen", { notifications: { toolsListChanged: true } }, abort.signal, "listen");
      expect(listen.status).toBe(200);
      const reader = sseReader(listen, abort);
      await reader.next((m) => m.method === "notifications/subscriptions/acknowledged", 10_000); // open before the change
      return reader;
    };
    let stream = await listenOnGateway();
    /**
     * Makes a change (`announce`) and waits for the gateway's listener to hear list_changed. A listen
     * stream can end (a client then listens again): if it has ended, listen again — saying how it
     * ended — and make the change again; list_changed must reach a stream open when it happens.
     */
    const heardOnListener = async (announce: (attempt: number) => Promise<void>) => {
      for (let attempt = 1; ; attempt++) {
        if (stream.ended() !== undefined) {
          console.warn(`gateway-fleet: the listen stream had ended (${stream.ended()}); listening again`);
          stream = await listenOnGateway();
        }
        await announce(attempt);
        try {
          await stream.next((m) => m.method === "notifications/tools/list_changed", 15_000);
          return;
        } catch (error) {
          if (attempt === 2 || stream.ended() === undefined) throw error;
        }
      }
    };
    await heardOnListener((attempt) => pushRules(bobRules(`bob-${attempt}`)));
    try {
      const client = await modernClient("gateway", token);
      let names = await toolNames(client);
      if (!names.includes("conformance__test_tool_with_progress")) {
        // bob's first listing of conformance can miss the gateway's 2 s backend timeout on a loaded
        // machine (a cold worker): then its tools, arriving late, tell listeners to list again.
        await stream.next((m) => m.method === "notifications/tools/list_changed", 15_000);
        names = await toolNames(client);
      }
      expect(names).toContain("notes__list_notes");
      expect(names).toContain("conformance__test_tool_with_progress");
      expect(names).not.toContain("notes__add_note");
      // The backends bob reaches bring their prompts too, named like tools, fetched with the gateway's own read scopes.
      const prompts = (await client.listPrompts()).prompts.map((p: { name: string }) => p.name);
      expect(prompts).toContain("conformance__test_simple_prompt");
      const prompt = await client.getPrompt({ name: "conformance__test_simple_prompt" });
      expect(prompt.messages.length).toBeGreaterThan(0);

      // bob's notes through the gateway are bob's: alice's note never shows.
      const bobs = await client.callTool({ name: "notes__list_notes", arguments: {} });
      expect(JSON.stringify(bobs)).not.toContain("alice only");

      // A progress-reporting backend tool streams its progress through the gateway.
      const progress: number[] = [];
      const result = await client.callTool({ name: "conformance__test_tool_with_progress", arguments: {} }, { onprogress: (p: { progress: number }) => progress.push(p.progress) });
      expect(result.content).toEqual([{ type: "text", text: "Tool with progress executed successfully" }]);
      expect(progress).toEqual([0, 50, 100]);

      // The 2025 session opened before the change: its standing stream is told the list changed
      // (with no request of its own), and its next listing is the new one.
      await vi.waitFor(() => expect(legacyListChanged).toBeGreaterThan(0), { timeout: 15_000 });
      let legacyNames = await toolNames(legacy);
      for (let i = 0; i < 10 && !legacyNames.includes("conformance__test_tool_with_progress"); i++) {
        await new Promise((resolve) => setTimeout(resolve, 500)); // conformance's tools arriving late, as above
        legacyNames = await toolNames(legacy);
      }
      expect(legacyNames).toEqual(names);

      // The same tool for the 2025-era client (served by the gateway's own MCP server, which calls
      // the backend in 2026-07-28 and relays its progress onto the client's response stream).
      const legacyProgress: number[] = [];
      const legacyResult = await legacy.callTool({ name: "conformance__test_tool_with_progress", arguments: {} }, undefined, { onprogress: (p) => legacyProgress.push(p.progress) });
      expect(legacyResult.content).toEqual([{ type: "text", text: "Tool with progress executed successfully" }]);
      expect(legacyProgress).toEqual([0, 50, 100]);
      // A backend's input rounds reach the 2025 client as elicitation and sampling requests on its
      // session (the SDK turns each input_required round into them), two rounds here.
      const legacyRounds = await legacy.callTool({ name: "conformance__test_input_required_result_multi_round", arguments: {} });
      expect(legacyRounds.content).toEqual([{ type: "text", text: "Bob likes teal." }]);
      const sampled = await legacy.callTool({ name: "conformance__test_input_required_result_sampling", arguments: {} });
      expect(sampled.content).toEqual([{ type: "text", text: "The model said: Paris" }]);

      // Multi round-trip input (MRTR) through the gateway: two rounds of elicitation, the backend's
      // signed requestState carried by the client and verified by the backend on each retry.
      const asking = await connectModern(server("gateway").resource, token, { elicitation: { form: {} } });
      asking.setRequestHandler("elicitation/create", (request) => ({ action: "accept" as const, content: (request.params.message.includes("color") ? { color: "teal" } : { name: "Bob" }) as Record<string, string> }));
      const rounds = await asking.callTool({ name: "conformance__test_input_required_result_multi_round", arguments: {} });
      expect(rounds.content).toEqual([{ type: "text", text: "Bob likes teal." }]);
      await asking.close();

      // A backend's own list_changed (announced on the backend, not through the gateway) reaches the gateway's listener.
      await heardOnListener(async () => {
        const direct = await modernClient("conformance", await tokenFor("conformance", "dev|carol"));
        expect(await direct.callTool({ name: "test_trigger_tool_change", arguments: {} })).toMatchObject({ content: [{ type: "text", text: "tools changed" }] });
        await direct.close();
      });
      await client.close();

      // Access taken away: the open 2025 session loses the tools with the next request — a call
      // gets the unknown-tool error, as a 2026-07-28 request would.
      // (Neither the 2026-07-28 listen stream, which may end as above, nor a second list_changed on
      // the session's stream is waited for: the push is shown above, before the session sent
      // anything; a session object rebuilt meanwhile has no earlier view to announce a change from.)
      await pushRules(bobRules("bob-hello-only", ["hello.*"]));
      await vi.waitFor(() => expect(legacy.callTool({ name: "conformance__test_tool_with_progress", arguments: {} })).rejects.toMatchObject({ code: -32602 }), { timeout: 20_000, interval: 500 });
      expect(await toolNames(legacy)).toEqual(await backendTools("hello"));
    } finally {
      stream.close();
      await legacy.close();
    }
  }, 150_000);

  it("a backend going down: its calls fail fast, the others stay listed and callable, /health names it", async () => {
    const token = await tokenFor("gateway", "dev|alice");
    const client = await modernClient("gateway", token);
    expect(await toolNames(client)).toContain("hello__echo");
    await env.stopServer("hello");

    const failed = await client.callTool({ name: "hello__echo", arguments: { text: "anyone?" } });
    expect(failed.isError).toBe(true);
    // It failed because the backend is gone, not by waiting out the backend timeout.
    expect(JSON.stringify(failed.content)).toContain('Backend \\"hello\\" is unreachable');
    // A fresh client: the SDK client keeps a listing for its ttlMs.
    const fresh = await modernClient("gateway", token);
    const names = await toolNames(fresh);
    await fresh.close();
    expect(names.some((n) => n.startsWith("hello__"))).toBe(false);
    expect(names).toContain("notes__list_notes");
    expect((await client.callTool({ name: "notes__list_notes", arguments: {} })).isError).toBeFalsy();

    // Per-backend detail is for operators (the operator scope); anonymous callers get the overall status.
    const operator = await tokenFor("gateway", "dev|operator", ["fleet.read"]);
    const health = (await (await fetch(new URL("/health", server("gateway").resource), { headers: { authorization: `Bearer ${operator}` } })).json()) as { backends: Record<string, { status: string }> };
    expect(await (await fetch(new URL("/health", server("gateway").resource))).json()).not.toHaveProperty("backends");
    expect(health.backends.hello!.status).not.toBe("ok");
    expect(health.backends.notes!.status).toBe("ok");
    await client.close();
  }, 120_000);
});
