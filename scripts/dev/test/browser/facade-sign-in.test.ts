/**
 * The whole facade sign-in in a real browser (headless Chromium from Debian's `chromium` package,
 * driven by playwright-core): the facade's consent page, the Auth0 stand-in's sign-in page, back
 * through the facade to the client's loopback redirect, then a working MCP call with the token.
 * Also: neither page can be framed by another site. Screenshots of each page are kept in
 * scripts/dev/test-artifacts/ (git-ignored) for a person to look at.
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort, startDevEnvironment, type DevEnvironment, type RunningServer } from "../../src/index.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { workerExits } from "../helpers/worker-exits.ts";

const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));
const artifacts = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));

const exits = workerExits();
let env: DevEnvironment;
let notes: RunningServer;
let browser: Browser;
let client: { server: Server; origin: string; redirects: URL[] };

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  // The MCP client's side: a loopback redirect receiver (RFC 8252 §7.3) and a page on another
  // origin that tries to frame the facade.
  const port = await freePort();
  const redirects: URL[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
    if (url.pathname === "/callback") {
      redirects.push(url);
      res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>Signed in</title><h1>Signed in: return to your MCP client</h1>");
    } else if (url.pathname === "/frame") {
      const src = url.searchParams.get("src") ?? "";
      res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><title>Framer</title><iframe id="victim" src="${src.replace(/"/g, "&quot;")}" width="600" height="400"></iframe>`);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  client = { server, origin: `http://127.0.0.1:${port}`, redirects };
  env = await startDevEnvironment({
    onWorkerExit: exits.onWorkerExit,
    root: repoRoot,
    only: ["notes"],
    auth: "facade",
    // The MCP client's page (a browser-based client) calls the facade and the server cross-origin.
    allowedOrigins: [client.origin],
    stateDir: mkdtempSync(join(tmpdir(), "browser-facade-state-")),
    facadePort: await freePort(),
    ports: { issuer: await freePort(), workers: { notes: await freePort() } },
    keyFile: join(mkdtempSync(join(tmpdir(), "browser-facade-")), "keys.json"),
  });
  notes = env.servers.find((s) => s.slug === "notes")!;
  browser = await launchChromium();
}, 180_000);

afterEach(exits.check);
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (client?.server ? client.server.close(() => resolve()) : resolve()));
  await env?.stop();
}, 60_000);

async function registeredClient(): Promise<string> {
  const res = await fetch(new URL("/oauth/register", env.clientIssuer), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_name: "Browser Test Client", redirect_uris: [`${client.origin}/callback`], token_endpoint_auth_method: "none" }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { client_id: string }).client_id;
}

async function authorization(clientId: string) {
  const verifier = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  const challenge = Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))).toString("base64url");
  const url = new URL("/authorize", env.clientIssuer);
  const params = { client_id: clientId, response_type: "code", redirect_uri: `${client.origin}/callback`, scope: "tools.read tools.write", resource: notes.resource, state: "browser-state", code_challenge: challenge, code_challenge_method: "S256" };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { url, verifier };
}

describe("the facade sign-in in Chromium", () => {
  it("clicks through consent and sign-in to a token that works for a tools/call", async () => {
    const clientId = await registeredClient();
    const { url, verifier } = await authorization(clientId);
    const page = await browser.newPage();
    await page.goto(url.href);
    await expect(page.locator("#client-name").textContent()).resolves.toBe("Browser Test Client");
    await expect(page.locator("#redirect-host").textContent()).resolves.toBe("127.0.0.1");
    await page.screenshot({ path: join(artifacts, "facade-consent.png"), fullPage: true });
    await page.click("#approve");

    // The Auth0 stand-in's sign-in page (its own origin): the browser's Origin passes its CSRF check.
    await page.waitForURL((u) => u.pathname.startsWith("/interaction/"));
    expect(new URL(page.url()).origin).toBe(new URL(env.issuer).origin);
    await page.screenshot({ path: join(artifacts, "stand-in-sign-in.png"), fullPage: true });
    await page.click('button[value="approve"]');

    await page.waitForURL((u) => u.origin === client.origin).catch(async (error: unknown) => {
      await page.screenshot({ path: join(artifacts, "stuck.png"), fullPage: true });
      throw new Error(`the sign-in stopped at ${page.url()}: ${(await page.content()).slice(0, 400)}`, { cause: error });
    });
    await page.screenshot({ path: join(artifacts, "client-redirect.png") });
    const back = client.redirects.at(-1)!;
    expect(back.searchParams.get("state")).toBe("browser-state");
    expect(back.searchParams.get("iss")).toBe(env.clientIssuer);

    // The rest as a browser-based client does it, from its page (another origin than the facade's
    // and the server's): the token request and a 2026-07-28 call, both cross-origin (CORS).
    const answers = await page.evaluate(
      async ({ tokenUrl, form, mcpUrl }) => {
        const tokenRes = await fetch(tokenUrl, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form) });
        const { access_token } = (await tokenRes.json()) as { access_token: string };
        const call = await fetch(mcpUrl, {
          method: "POST",
          headers: {
            authorization: `Bearer ${access_token}`,
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            "mcp-protocol-version": "2026-07-28",
            "mcp-method": "tools/call",
            "mcp-name": "add_note",
          },
          body: JSON.stringify({
            jsonrpc: "2.0",
            id: 7,
            method: "tools/call",
            params: {
              name: "add_note",
              arguments: { title: "From Chromium", text: "signed in through the facade" },
              _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}, "io.modelcontextprotocol/clientInfo": { name: "browser", version: "1" } },
            },
          }),
        });
        // A refused token request's error is readable too (the facade's CORS on errors).
        const refused = await fetch(tokenUrl, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ ...form, code: "not-a-code" }) });
        return { tokenStatus: tokenRes.status, callStatus: call.status, callText: await call.text(), refusedStatus: refused.status, refused: await refused.text() };
      },
      {
        tokenUrl: new URL("/oauth/token", env.clientIssuer).href,
        form: { grant_type: "authorization_code", code: back.searchParams.get("code")!, redirect_uri: `${client.origin}/callback`, client_id: clientId, code_verifier: verifier, resource: notes.resource },
        mcpUrl: notes.resource,
      },
    );
    await page.close();
    expect(answers.tokenStatus).toBe(200);
    expect(answers.callStatus).toBe(200);
    expect(answers.callText).toContain('"id":7');
    expect(answers.callText).not.toContain('"isError":true');
    expect(answers.refusedStatus).toBe(400);
    expect(JSON.parse(answers.refused)).toMatchObject({ error: "invalid_grant" });
  });

  it("refuses to be framed: neither the consent page nor the stand-in's sign-in page renders inside another site's iframe", async () => {
    const { url } = await authorization(await registeredClient());
    const page = await browser.newPage();
    // The stand-in's sign-in page of a live sign-in, reached the normal way.
    await page.goto(url.href);
    await page.click("#approve");
    await page.waitForURL((u) => u.pathname.startsWith("/interaction/"));
    const signIn = page.url();

    for (const [name, target, button] of [
      ["facade-framed", url.href, "#approve"],
      ["stand-in-framed", signIn, 'button[value="approve"]'],
    ] as const) {
      const framer = await browser.newPage();
      // Framed from `localhost` on another port: another origin but the same site, so the sign-in
      // cookies still reach the frame and only the framing headers can stop it.
      await framer.goto(`http://localhost:${new URL(client.origin).port}/frame?src=${encodeURIComponent(target)}`);
      await framer.waitForTimeout(1_500);
      await framer.screenshot({ path: join(artifacts, `${name}.png`) });
      const frame = framer.frames().find((f) => f !== framer.mainFrame());
      expect(frame, name).toBeDefined();
      // Blocked by frame-ancestors 'none' / X-Frame-Options: DENY: Chromium puts its own error page
      // in the frame instead of the response, so the frame holds no form.
      expect(frame!.url(), name).toBe("chrome-error://chromewebdata/");
      expect(await frame!.locator(button).count().catch(() => 0), name).toBe(0);
      await framer.close();
    }
    // The same pages opened directly do have their buttons: the checks above can fail.
    await page.goto(signIn);
    expect(await page.locator('button[value="approve"]').count()).toBe(1);
    await page.goto(url.href);
    expect(await page.locator("#approve").count()).toBe(1);
    await page.close();
  });
});
