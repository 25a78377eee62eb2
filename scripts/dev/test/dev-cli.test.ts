import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { freePort, renderDevSummary, startDevEnvironment, type DevEnvironment } from "../src/index.ts";

const run = promisify(execFile);

/** A running dev environment as renderDevSummary sees it: the configured issuer port unless overridden. */
function devEnvironment(servers: DevEnvironment["servers"], issuerPort = 9400): DevEnvironment {
  return { clientIssuer: `http://localhost:${issuerPort}/`, auth: "auth0", issuer: `http://localhost:${issuerPort}/`, issuerPort, issuerPortOverridden: issuerPort !== 9400, keyFile: "/tmp/k", stop: async () => {}, stopServer: async () => {}, servers, users: ["dev|alice", "dev|bob"] };
}
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
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain("hello does not define tools.write; it defines: resources.read prompts.read tools.read");
  });

  it("refuses an unknown server, listing the known ones", async () => {
    const failed = await run(process.execPath, [tokenCli, "--server", "nope"], { cwd: root }).catch((e: { stderr: string }) => e);
    expect((failed as { stderr: string }).stderr).toMatch(/no server "nope"; one of: .*notes/);
  });
});

describe("npm run dev", () => {
  it("names every port in use, and for what, instead of starting", async () => {
    const [issuer, hello, notes] = [await freePort(), await freePort(), await freePort()];
    const blockers = [createServer(), createServer()];
    await Promise.all([issuer, notes].map((port, i) => new Promise<void>((resolve) => blockers[i]!.listen(port, "127.0.0.1", resolve))));
    try {
      await expect(startDevEnvironment({ root, only: ["hello", "notes"], ports: { issuer, workers: { hello, notes } } })).rejects.toThrow(
        `Ports ${issuer} (the local authorization server), ${notes} (worker notes) are in use.`,
      );
    } finally {
      await Promise.all(blockers.map((b) => new Promise<void>((resolve) => b.close(() => resolve()))));
    }
  });

  it("refuses an unknown worker name", async () => {
    await expect(startDevEnvironment({ root, only: ["nope"] })).rejects.toThrow(/No worker named nope; known: .*hello/);
  });

  it("prints a table and copy-paste lines for every client", () => {
    const text = renderDevSummary(devEnvironment([{ slug: "notes", name: "Notes", transport: "stateful", port: 8789, portOverridden: false, resource: "http://localhost:8789/mcp", metadataUrl: "http://localhost:8789/.well-known/oauth-protected-resource/mcp", scopes: ["tools.read", "tools.write"] }]));
    expect(text).toMatch(/^notes\s+http:\/\/localhost:8789\/mcp\s+http:\/\/localhost:8789\/\.well-known\/oauth-protected-resource\/mcp\s+tools\.read tools\.write\s*$/m);
    expect(text).toContain("claude mcp add --transport http notes http://localhost:8789/mcp");
    expect(text).toContain("npx @modelcontextprotocol/inspector");
    expect(text).toContain('"url": "http://localhost:8789/mcp"');
    expect(text).toContain('TOKEN=$(npm run -s token -- --server notes --scopes "tools.read tools.write" --sub alice)');
    expect(text).not.toContain("--issuer-port");
    expect(text).not.toContain("Gateway:");
    expect(text).not.toContain("First-party API");
  });

  it("names the first-party API workers and the third-party stand-in that servers' apis reach", () => {
    const concierge = { slug: "concierge", name: "Concierge", transport: "stateful" as const, port: 8795, portOverridden: false, resource: "http://localhost:8795/mcp", metadataUrl: "", scopes: ["tools.read"] };
    const text = renderDevSummary({ ...devEnvironment([concierge]), apis: { workers: [{ worker: "orders-api", url: "http://localhost:8796" }], thirdParty: "http://localhost:9430" } });
    expect(text).toContain("First-party API orders-api: http://localhost:8796");
    expect(text).toContain("Third-party provider stand-in: http://localhost:9430");
  });

  it("in facade mode names the facade as the clients' authorization server and offers no Auth0-style token command", () => {
    const notes = { slug: "notes", name: "Notes", transport: "stateful" as const, port: 8789, portOverridden: false, resource: "http://localhost:8789/mcp", metadataUrl: "", scopes: ["tools.read"] };
    const text = renderDevSummary({ ...devEnvironment([notes]), auth: "facade", clientIssuer: "http://localhost:9410" });
    expect(text).toContain("Authorization server for clients (OAuth facade): http://localhost:9410");
    expect(text).toContain("claude mcp add --transport http notes http://localhost:8789/mcp");
    expect(text).not.toContain("npm run -s token");
    expect(text).toContain("refused by servers in facade mode");
  });

  it("prints the operator console's URL and who may sign in to it, when it runs", () => {
    const notes = { slug: "notes", name: "Notes", transport: "stateful" as const, port: 8789, portOverridden: false, resource: "http://localhost:8789/mcp", metadataUrl: "", scopes: ["tools.read"] };
    const text = renderDevSummary({ ...devEnvironment([notes]), console: { url: "http://localhost:9420/", operators: ["dev|alice"] } });
    expect(text).toContain("Operator console: http://localhost:9420/   — sign in as an operator (dev|alice)");
    expect(renderDevSummary(devEnvironment([notes]))).not.toContain("Operator console");
  });

  it("names the gateway's one URL for the fleet, and how to try it as bob", () => {
    const text = renderDevSummary(devEnvironment([{ slug: "gateway", name: "Gateway", transport: "stateless", port: 8791, portOverridden: false, resource: "http://localhost:8791/mcp", metadataUrl: "", scopes: ["tools.read"] }]));
    expect(text).toContain("Gateway: one MCP URL for the whole fleet: http://localhost:8791/mcp");
    expect(text).toContain("Sign in as dev|bob on the local sign-in page");
    expect(text).toContain('npm run -s token -- --server gateway --scopes "tools.read" --sub bob');
  });

  const gatewayServer = { slug: "gateway", name: "Gateway", transport: "stateful" as const, port: 8791, portOverridden: false, resource: "http://localhost:8791/mcp", metadataUrl: "", scopes: ["tools.read"] };
  const rules = { rules: [{ name: "carol", when: { sub: "dev|carol" }, allow: ["notes.*", "!notes.delete_note"] }, { when: { claim: { name: "roles", includes: "ops" } }, allow: ["hello.*"] }], aliases: {} };

  it("derives the gateway's who-sees-what from the rules in force, not a fixed text", () => {
    const text = renderDevSummary({ ...devEnvironment([gatewayServer]), gatewayRules: { source: "gateway.json", rules, deleteCommand: "x" } });
    expect(text).toContain("rules from workers/gateway/gateway.json:");
    expect(text).toContain("carol (dev|carol): notes.* !notes.delete_note");
    expect(text).toContain("rule 1 (claim roles ∋ ops): hello.*");
    expect(text).not.toContain("dev|alice: notes, hello, live-monitor");
  });

  it("says when rules in local KV override gateway.json, and how to delete them", () => {
    const deleteCommand = "npx wrangler kv key delete rules --binding GATEWAY_RULES --local";
    const text = renderDevSummary({ ...devEnvironment([gatewayServer]), gatewayRules: { source: "local KV", rules, deleteCommand } });
    expect(text).toContain("rules from the gateway's local KV, which override workers/gateway/gateway.json");
    expect(text).toContain(`to use gateway.json's rules again: (cd workers/gateway && ${deleteCommand})`);
    const invalid = renderDevSummary({ ...devEnvironment([gatewayServer]), gatewayRules: { source: "invalid local KV", rules: { rules: [], aliases: {} }, deleteCommand } });
    expect(invalid).toContain("holds an invalid rules document: nobody gets in");
  });

  it("prints each editor's own file: VS Code's servers (with type), Cursor's mcpServers", () => {
    const text = renderDevSummary(devEnvironment([gatewayServer]));
    const vscode = text.slice(text.indexOf("VS Code (.vscode/mcp.json):"), text.indexOf("Cursor (.cursor/mcp.json):"));
    const cursor = text.slice(text.indexOf("Cursor (.cursor/mcp.json):"));
    expect(vscode).toContain('"servers": {');
    expect(vscode).toContain('"type": "http"');
    expect(vscode).not.toContain("mcpServers");
    expect(cursor).toContain('"mcpServers": {');
  });

  it("puts --issuer-port and --resource into the printed token command when ports are overridden", () => {
    const text = renderDevSummary(devEnvironment([
      { slug: "conformance", name: "C", transport: "stateful", port: 8788, portOverridden: false, resource: "http://localhost:8788/mcp", metadataUrl: "", scopes: ["tools.read"] },
      { slug: "notes", name: "Notes", transport: "stateful", port: 9789, portOverridden: true, resource: "http://localhost:9789/mcp", metadataUrl: "", scopes: ["tools.read"] },
    ], 9500));
    expect(text).toContain('TOKEN=$(npm run -s token -- --server notes --scopes "tools.read" --sub alice --issuer-port 9500 --resource http://localhost:9789/mcp)');
    // The Inspector line points at a server a user wants (notes), not the conformance fixture.
    expect(text).toContain("URL http://localhost:9789/mcp)");
  });
});

describe("npm run dev: every override checked before anything starts", () => {
  const devCli = fileURLToPath(new URL("../src/cli/dev.ts", import.meta.url));
  const dev = (args: string[]) => run(process.execPath, [devCli, ...args], { cwd: root, timeout: 30_000 }).catch((e: { code: number; stdout: string; stderr: string }) => e);

  it.each([
    ["an unknown slug in --port", ["--port", "nots=9689"], /--port nots=…: no such worker; known: .*notes/],
    ["two overrides on one port", ["--port", "notes=9689", "--port", "hello=9689"], /Port 9689 is wanted by both worker hello and worker notes|Port 9689 is wanted by both worker notes and worker hello/],
    ["an override on the issuer's port", ["--port", "notes=9400"], /Port 9400 is wanted by both the local authorization server and worker notes/],
    ["an override on another worker's configured port", ["--only", "notes,hello", "--port", "notes=8787"], /wanted by both/],
    ["the facade's port on a worker's", ["--auth", "facade", "--facade-port", "8789"], /Port 8789 is wanted by both the OAuth facade and worker notes/],
    ["a --port for a worker --only leaves out", ["--only", "hello", "--port", "notes=9689"], /--port notes: not started by this run/],
  ])("refuses %s with exit code 2, naming the mistake", async (_name, args, message) => {
    const failed = await dev(args);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toMatch(message);
    expect((failed as { stdout: string }).stdout).not.toContain("starting");
  });

  it("lets the facade port move (--facade-port), and says so in --help", async () => {
    const { stdout } = await run(process.execPath, [devCli, "--help"], { cwd: root });
    expect(stdout).toContain("--facade-port <port>");
    const fleet = (await import("@edge-mcp/config/load")).loadFleet(root);
    const { planPorts } = await import("../src/index.ts");
    expect(planPorts(fleet, { facade: 9510, facadeRuns: true }).facade).toBe(9510);
    expect(planPorts(fleet, { facadeRuns: true }).facade).toBe(fleet.ecosystem.dev.facadePort);
  });
});

describe("npm run dev: a broken gateway.json", () => {
  it("is refused at once, naming the file and the field, before any worker starts", async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const fleetRoot = mkdtempSync(join(tmpdir(), "broken-gateway-"));
    mkdirSync(join(fleetRoot, "workers/gateway"), { recursive: true });
    writeFileSync(join(fleetRoot, "ecosystem.json"), "{}");
    writeFileSync(join(fleetRoot, "workers/gateway/mcp.json"), JSON.stringify({ name: "g", slug: "gateway", transport: "stateful", dev: { port: 8791 } }));
    writeFileSync(join(fleetRoot, "workers/gateway/gateway.json"), JSON.stringify({ backends: { notes: { service: "notes-mcp" } }, rules: [], limits: { backendTimeout: 5 } }));
    const logged: string[] = [];
    await expect(startDevEnvironment({ root: fleetRoot, log: (line) => logged.push(line) })).rejects.toThrow(/workers\/gateway\/gateway\.json: .*limits Unrecognized key: "backendTimeout"/);
    // Nothing was started (not even the authorization server): no wait for a worker that never answers.
    expect(logged).toEqual([]);
  });
});
