/**
 * Acting as the user under `npm run dev` (issue 25 §4, §7), end to end: the MCP SDK client calls
 * concierge (wrangler dev), which exchanges the user's token at the local authorization server for
 * orders-api (wrangler dev, verifying the exchanged token), and — after the user connects a GitHub
 * account through the URL elicitation — calls the third-party stand-in through Token Vault.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadOrCreateSigningKey, mintAccessToken } from "@edge-mcp/dev-auth";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort, startDevEnvironment, type DevEnvironment } from "../src/index.ts";
import { connectModern } from "./helpers/modern-http.ts";
import { workerExits } from "./helpers/worker-exits.ts";
import { followFormsInBrowser } from "@edge-mcp/testing/dev-browser";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const exits = workerExits();
let env: DevEnvironment;
let keyFile: string;

beforeAll(async () => {
  keyFile = join(mkdtempSync(join(tmpdir(), "dev-acting-")), "keys.json");
  env = await startDevEnvironment({
    onWorkerExit: exits.onWorkerExit,
    root: repoRoot,
    only: ["concierge"],
    stateDir: mkdtempSync(join(tmpdir(), "dev-acting-state-")),
    ports: { issuer: await freePort(), workers: { concierge: await freePort() }, apis: { "orders-api": await freePort() }, thirdParty: await freePort() },
    keyFile,
  });
}, 240_000);
afterEach(exits.check);
afterAll(() => env?.stop(), 60_000);

/** Follows a connect link as the user's browser would (per-origin cookies, redirects, each page's one form). */
const connectInBrowser = async (link: string, user: string) => (await followFormsInBrowser(link, { user })).html;

describe("acting as the user under npm run dev", () => {
  it("calls the first-party API through on-behalf-of exchange, and GitHub's stand-in after connecting the account", async () => {
    const concierge = env.servers.find((s) => s.slug === "concierge")!;
    expect(env.apis?.workers.map((w) => w.worker)).toEqual(["orders-api"]);
    const token = await mintAccessToken(await loadOrCreateSigningKey(keyFile), { issuer: env.issuer, audience: concierge.resource, subject: "dev|alice", clientId: "e2e", scopes: ["tools.read"] });
    const client = await connectModern(concierge.resource, token, { elicitation: { url: {} } });
    const orders = await client.callTool({ name: "my_orders", arguments: {} });
    expect(JSON.parse((orders.content as Array<{ text: string }>)[0]!.text)).toMatchObject({ seen: { sub: "dev|alice", actor: "concierge-exchange", scope: "orders.read" } });
    client.setRequestHandler("elicitation/create", async (request) => {
      const page = await connectInBrowser((request.params as { url: string }).url, "dev|alice");
      expect(page).toContain("Your github account is connected");
      return { action: "accept" };
    });
    const profile = await client.callTool({ name: "github_profile", arguments: {} });
    expect(JSON.parse((profile.content as Array<{ text: string }>)[0]!.text)).toMatchObject({ login: "dev-alice" });
  });
});
