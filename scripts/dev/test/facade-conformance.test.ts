/**
 * `conformance authorization` of @modelcontextprotocol/conformance 0.2.0-alpha.12 against the
 * running OAuth facade (`npm run dev -- --auth facade`): its metadata scenarios and the
 * authorization-code grant. The suite prints an authorization URL for a person to open; the
 * browser-less helper plays that person (consent at the facade, sign-in at the Auth0 stand-in)
 * and delivers the redirect to the suite's callback server.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { signInThroughFacade } from "@edge-mcp/testing/dev-browser";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort, startDevEnvironment, type DevEnvironment, type RunningServer } from "../src/index.ts";
import { conformanceCounts, runConformanceAuthorization } from "./helpers/conformance-authorization.ts";
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
    auth: "facade",
    stateDir: mkdtempSync(join(tmpdir(), "facade-conformance-state-")),
    facadePort: await freePort(),
    ports: { issuer: await freePort(), workers: { hello: await freePort() } },
    keyFile: join(mkdtempSync(join(tmpdir(), "facade-conformance-")), "keys.json"),
  });
  hello = env.servers.find((s) => s.slug === "hello")!;
}, 180_000);

afterEach(exits.check);
afterAll(() => env?.stop(), 60_000);

describe("conformance authorization against the OAuth facade", () => {
  it("passes every authorization-server check, the authorization-code grant included", async () => {
    const run = await runConformanceAuthorization({
      repoRoot,
      url: env.clientIssuer,
      resource: hello.resource,
      register: async (callback) => {
        const reg = await fetch(new URL("/oauth/register", env.clientIssuer), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ client_name: "conformance", redirect_uris: [callback], token_endpoint_auth_method: "none" }),
        });
        return ((await reg.json()) as { client_id: string }).client_id;
      },
      // The person at the browser: consent at the facade, sign-in at the Auth0 stand-in.
      person: (url) => signInThroughFacade(url),
    });
    expect(run.signedIn, run.output).toBe(true);
    expect(run.output).toMatch(/✓ authorization-server-metadata-endpoint: \d+ passed, 0 failed/);
    expect(run.output).toMatch(/✓ authorization-code-grant: 1 passed, 0 failed/);
    expect(conformanceCounts(run.output)?.failed, run.output).toBe(0);
    expect(conformanceCounts(run.output)?.passed).toBeGreaterThanOrEqual(3);
    expect(run.exitCode, run.output).toBe(0);
  }, 120_000);
});
