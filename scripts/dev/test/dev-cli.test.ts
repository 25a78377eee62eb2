import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { freePort, renderDevSummary, startDevEnvironment } from "../src/index.ts";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../..", import.meta.url));
const tokenCli = fileURLToPath(new URL("../src/cli/token.ts", import.meta.url));

describe("npm run token", () => {
  it("prints only an RS256 token for the server's dev resource, subject and scopes", async () => {
    const { stdout } = await run(process.execPath, [tokenCli, "--server", "notes", "--scopes", "tools.read tools.write", "--sub", "alice"], { cwd: root });
    const token = stdout.trim();
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "RS256", typ: "at+jwt" });
    expect(decodeJwt(token)).toMatchObject({
      iss: "http://localhost:9400/",
      aud: "http://localhost:8789/mcp",
      sub: "dev|alice",
      azp: "dev-cli",
      scope: "tools.read tools.write",
      permissions: ["tools.read", "tools.write"],
    });
  });

  it("refuses a scope the server does not define, naming the ones it does", async () => {
    const failed = await run(process.execPath, [tokenCli, "--server", "hello", "--scopes", "tools.write"], { cwd: root }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain("hello does not define tools.write; it defines: resources.read prompts.read tools.read");
  });

  it("refuses an unknown server, listing the known ones", async () => {
    const failed = await run(process.execPath, [tokenCli, "--server", "nope"], { cwd: root }).catch((e: { stderr: string }) => e);
    expect((failed as { stderr: string }).stderr).toMatch(/no server "nope"; one of: .*notes/);
  });
});

describe("npm run dev", () => {
  it("starts, prints the summary, and on Ctrl-C (SIGINT) stops every child and frees every port", { timeout: 120_000 }, async () => {
    const { spawn } = await import("node:child_process");
    const issuerPort = await freePort();
    const helloPort = await freePort();
    const devCli = fileURLToPath(new URL("../src/cli/dev.ts", import.meta.url));
    const child = spawn(process.execPath, [devCli, "--only", "hello", "--issuer-port", String(issuerPort), "--port", `hello=${helloPort}`], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    for (let i = 0; i < 1200 && !out.includes("Ctrl-C stops everything."); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain(`http://localhost:${helloPort}/mcp`);
    expect(out).toContain(`Authorization server (Auth0 stand-in): http://localhost:${issuerPort}/`);
    const health = await fetch(`http://localhost:${helloPort}/health`);
    expect(health.status).toBe(200);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    const { assertPortFree } = await import("../src/index.ts");
    await expect(assertPortFree(helloPort, "hello")).resolves.toBeUndefined();
    await expect(assertPortFree(issuerPort, "issuer")).resolves.toBeUndefined();
  });

  it("says which port is in use, and for what, instead of starting", async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    try {
      await expect(startDevEnvironment({ root, only: ["hello"], ports: { issuer: await freePort(), workers: { hello: port } } })).rejects.toThrow(
        `Port ${port} (worker hello) is in use`,
      );
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it("refuses an unknown worker name", async () => {
    await expect(startDevEnvironment({ root, only: ["nope"] })).rejects.toThrow(/No worker named nope; known: .*hello/);
  });

  it("prints a table and copy-paste lines for every client", () => {
    const text = renderDevSummary({
      issuer: "http://localhost:9400/",
      keyFile: "/tmp/k",
      stop: async () => {},
      servers: [{ slug: "notes", name: "Notes", transport: "stateful", port: 8789, resource: "http://localhost:8789/mcp", metadataUrl: "http://localhost:8789/.well-known/oauth-protected-resource/mcp", scopes: ["tools.read", "tools.write"] }],
    });
    expect(text).toMatch(/^notes\s+http:\/\/localhost:8789\/mcp\s+http:\/\/localhost:8789\/\.well-known\/oauth-protected-resource\/mcp\s+tools\.read tools\.write\s*$/m);
    expect(text).toContain("claude mcp add --transport http notes http://localhost:8789/mcp");
    expect(text).toContain("npx @modelcontextprotocol/inspector");
    expect(text).toContain('"url": "http://localhost:8789/mcp"');
    expect(text).toContain('npm run -s token -- --server notes --scopes "tools.read tools.write"');
  });
});
