/**
 * The operator console in a real browser (issue 26 §4): `npm run dev`'s fleet with the console,
 * real traffic through a server and the gateway (tool calls, a missing token, a missing scope, a
 * gateway rule), then an operator signs in at the Auth0 stand-in and sees health, charts, the
 * table by tool and recent calls; a non-operator is refused; keyboard reachable; readable at a
 * phone's width. Screenshots in scripts/dev/test-artifacts/ (git-ignored).
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadOrCreateSigningKey, mintAccessToken } from "@edge-mcp/dev-auth";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort, startDevEnvironment, type DevEnvironment } from "../../src/index.ts";
import { modernPost } from "../helpers/modern-http.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { workerExits } from "../helpers/worker-exits.ts";

const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));
const artifacts = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));

const exits = workerExits();
let env: DevEnvironment;
let browser: Browser;
let keyFile: string;

async function tokenFor(slug: string, sub: string, scopes: string[]): Promise<string> {
  const server = env.servers.find((s) => s.slug === slug)!;
  return mintAccessToken(await loadOrCreateSigningKey(keyFile), { issuer: env.issuer, audience: server.resource, subject: sub, clientId: "console-browser-test", scopes });
}

async function call(slug: string, token: string, tool: string, args: Record<string, unknown>): Promise<number> {
  const res = await modernPost(env.servers.find((s) => s.slug === slug)!.resource, token, "tools/call", { name: tool, arguments: args });
  await res.text();
  return res.status;
}

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  keyFile = join(mkdtempSync(join(tmpdir(), "browser-console-")), "keys.json");
  env = await startDevEnvironment({
    onWorkerExit: exits.onWorkerExit,
    root: repoRoot,
    only: ["hello", "gateway"],
    console: true,
    consolePort: await freePort(),
    stateDir: mkdtempSync(join(tmpdir(), "browser-console-state-")),
    ports: { issuer: await freePort(), workers: { hello: await freePort(), gateway: await freePort() } },
    keyFile,
  });
  // Traffic for the console to show: tool calls, a refusal of a bad token, a gateway rule.
  const alice = await tokenFor("hello", "dev|alice", ["tools.read"]);
  for (let i = 0; i < 5; i++) expect(await call("hello", alice, "echo", { text: `hi ${i}` })).toBe(200);
  expect(await call("hello", "not-a-valid-token", "echo", { text: "forged" })).toBe(401);
  const gatewayAlice = await tokenFor("gateway", "dev|alice", ["tools.read"]);
  expect(await call("gateway", gatewayAlice, "hello__echo", { text: "via gateway" })).toBe(200);
  // bob's rules reach hello only: a notes tool is the gateway rule's refusal.
  expect(await call("gateway", await tokenFor("gateway", "dev|bob", ["tools.read"]), "notes__list_notes", {})).toBe(200);
  browser = await launchChromium();
}, 240_000);

afterEach(exits.check);
afterAll(async () => {
  await browser?.close();
  await env?.stop();
}, 60_000);

/** Opens the console as a browser would and signs in at the stand-in as `user`. */
async function signedIn(user: string, width = 1280): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  // The console's own failures: a script error, a policy violation, a request of its own refused.
  const origin = new URL(env.console!.url).origin;
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("console", (m) => (m.type() === "error" && /Content Security Policy/.test(m.text()) ? problems.push(m.text()) : undefined));
  page.on("response", (r) => (new URL(r.url()).origin === origin && r.status() >= 400 ? problems.push(`${r.status()} ${r.url()}`) : undefined));
  await page.goto(env.console!.url);
  // Redirected to the stand-in's sign-in page: pick the user, allow.
  await page.check(`input[name="user"][value="${user}"]`);
  await page.click('button[value="approve"]');
  await page.waitForURL((url) => url.origin === new URL(env.console!.url).origin);
  return { page, problems };
}

describe("the operator console under npm run dev", () => {
  it("shows an operator the fleet's health, the calls by tool, denials by cause and recent calls", async () => {
    const { page, problems } = await signedIn("dev|alice");
    await expect.poll(() => page.locator("#servers li.card").count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => page.locator("#auth-server").textContent()).toMatch(/reachable \(\d+ ms\)/);
    await expect.poll(() => page.locator("#servers").textContent()).toContain("hello:");
    // The gateway's backends (operator detail, through its binding).
    expect(await page.locator("#servers .backends").textContent()).toContain("hello: ok");
    await expect.poll(() => page.locator("#tools tbody").textContent(), { timeout: 30_000 }).toContain("echo");
    const rows = await page.locator("#tools tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
    // hello ran echo 6 times (5 direct, 1 relayed by the gateway); the gateway relayed hello__echo once.
    expect(rows.find((r) => r[0] === "hello" && r[1] === "echo")?.[2]).toBe("6");
    expect(rows.find((r) => r[0] === "gateway" && r[1] === "hello__echo")?.[2]).toBe("1");
    await expect.poll(() => page.locator("#recent tbody").textContent()).toContain("denied");
    expect(await page.locator("#recent tbody").textContent()).toContain("notes__list_notes");
    // Charts drawn by Chart.js into their canvases.
    for (const id of ["calls-chart", "latency-chart", "denials-chart"]) expect(await page.locator(`#${id}`).evaluate((c) => (c as HTMLCanvasElement).width)).toBeGreaterThan(0);
    // Filter recent calls by user: alice's digest only.
    await page.fill('#recent-filters input[name="user"]', "dev|bob");
    await page.click('#recent-filters button[type="submit"]');
    await expect.poll(() => page.locator("#recent tbody tr").count()).toBe(1);
    await page.screenshot({ path: join(artifacts, "console-wide.png"), fullPage: true });
    expect(problems).toEqual([]);
  });

  it("is reachable from the keyboard: skip link, sign-out, every filter", async () => {
    const { page } = await signedIn("dev|alice");
    const focused: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("Tab");
      focused.push(await page.evaluate(() => { const e = document.activeElement!; return `${e.tagName.toLowerCase()}${e.getAttribute("name") ? `[${e.getAttribute("name")}]` : ""}${e.textContent?.trim() ? `:${e.textContent.trim().slice(0, 20)}` : ""}`; }));
    }
    expect(focused[0]).toBe("a:Skip to content");
    expect(focused).toContain("button:Sign out");
    for (const name of ["select[range]", "select[server]", "select[tool]"]) expect(focused.some((f) => f.startsWith(name))).toBe(true);
    await page.keyboard.press("Shift+Tab");
    await page.focus('#recent-filters input[name="trace"]');
    await page.keyboard.type("4bf92f3577b34da6a3ce929d0e0e4736");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("#recent tbody").textContent()).toContain("No calls match.");
  });

  it("reads at a phone's width without sideways scrolling of the page", async () => {
    const { page } = await signedIn("dev|alice", 390);
    await expect.poll(() => page.locator("#tools tbody").textContent(), { timeout: 30_000 }).toContain("echo");
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: join(artifacts, "console-narrow.png"), fullPage: true });
  });

  it("refuses a user without the operator scope, and the API refuses a browser with no session", async () => {
    const { page } = await signedIn("dev|bob");
    expect(await page.locator("h1").textContent()).toBe("Not an operator");
    await page.screenshot({ path: join(artifacts, "console-refused.png") });
    for (const route of ["api/overview", "api/metrics", "api/calls"]) expect((await fetch(new URL(route, env.console!.url))).status).toBe(401);
  });
});
