/**
 * `conformance authorization` of @modelcontextprotocol/conformance 0.2.0-alpha.12 against the
 * running OAuth facade (`npm run dev -- --auth facade`): its metadata scenarios and the
 * authorization-code grant. The suite prints an authorization URL for a person to open; the
 * browser-less helper plays that person (consent at the facade, sign-in at the Auth0 stand-in)
 * and delivers the redirect to the suite's callback server.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { signInThroughFacade } from "@edge-mcp/testing/dev-browser";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { binOf, freePort, startDevEnvironment, type DevEnvironment, type RunningServer } from "../src/index.ts";
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
    const port = await freePort();
    const reg = await fetch(new URL("/oauth/register", env.clientIssuer), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "conformance", redirect_uris: [`http://127.0.0.1:${port}/callback`], token_endpoint_auth_method: "none" }),
    });
    const { client_id } = (await reg.json()) as { client_id: string };
    const cli = binOf("@modelcontextprotocol/conformance", "conformance", repoRoot);
    const child = spawn(process.execPath, [cli, "authorization", "--url", env.clientIssuer, "--client-id", client_id, "--resource", hello.resource, "--port", String(port)], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let signedIn: Promise<void> | undefined;
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      const url = /^(http:\/\/\S+\/authorize\?\S+)$/m.exec(output)?.[1];
      if (url !== undefined && signedIn === undefined) {
        // The person at the browser: consent, sign in, and the browser follows the redirect home.
        signedIn = signInThroughFacade(new URL(url)).then(async (back) => void (await (await fetch(back)).text()));
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const code = await new Promise<number>((resolve) => child.once("exit", (c) => resolve(c ?? 1)));
    await signedIn;
    expect(signedIn, output).toBeDefined();
    expect(output).toMatch(/✓ authorization-server-metadata-endpoint: \d+ passed, 0 failed/);
    expect(output).toMatch(/✓ authorization-code-grant: 1 passed, 0 failed/);
    const total = /Total: (\d+) passed, (\d+) failed/.exec(output);
    expect(total?.[2], output).toBe("0");
    expect(Number(total?.[1])).toBeGreaterThanOrEqual(3);
    expect(code, output).toBe(0);
  }, 120_000);
});
