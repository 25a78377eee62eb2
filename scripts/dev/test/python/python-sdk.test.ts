/**
 * `npm run test:python`: the Python MCP SDK (`mcp` 2.3.0 from PyPI, in a venv of its own) as a
 * client of real edge-mcp workers under `wrangler dev` (started by the same code as `npm run dev`),
 * with real RS256 tokens: pinned to 2026-07-28, in its default `auto` mode (probe with
 * server/discover, fall back to initialize) and in the 2025 handshake. Kept out of `npm test`,
 * which must run on a machine with only Node and npm: this needs python3 ≥ 3.10 with venv and pip.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { loadOrCreateSigningKey, mintAccessToken } from "@edge-mcp/dev-auth";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort, startDevEnvironment, type DevEnvironment, type RunningServer } from "../../src/index.ts";
import { workerExits } from "../helpers/worker-exits.ts";

const PYTHON_MCP = "mcp==2.3.0";
const here = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));
// Inside node_modules: git-ignored, and gone with a clean install.
const venv = join(repoRoot, "node_modules", ".cache", "edge-mcp-python-mcp-2.3.0");
const python = join(venv, "bin", "python");
const run = promisify(execFile);

const exits = workerExits();
let env: DevEnvironment;
const server = (slug: string): RunningServer => env.servers.find((s) => s.slug === slug)!;

async function tokenFor(slug: string, scopes: readonly string[]): Promise<string> {
  const key = await loadOrCreateSigningKey(env.keyFile);
  return mintAccessToken(key, { issuer: env.issuer, audience: server(slug).resource, subject: "dev|python", clientId: "python-sdk", scopes: [...scopes], expiresInSeconds: 900 });
}

interface Seen {
  protocolVersion: string;
  era: "modern" | "legacy";
  tools: string[];
  isError: boolean;
  text: string | null;
}
interface Failed {
  error: { type: string; code: number | null; message: string };
}

/** Runs the Python SDK client (test/python/mcp_client.py) once: its one line of JSON, or the error it reported (exit 3). */
async function pythonClient(slug: string, token: string, mode: string, tool: string, args: Record<string, unknown>): Promise<Seen | Failed> {
  let stdout: string;
  try {
    ({ stdout } = await run(python, [join(here, "mcp_client.py"), server(slug).resource, mode, tool, JSON.stringify(args)], { env: { ...process.env, MCP_TOKEN: token }, timeout: 60_000 }));
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    if (failed.code !== 3 || failed.stdout === undefined) throw error;
    stdout = failed.stdout;
  }
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as Seen | Failed;
}

beforeAll(async () => {
  if (!existsSync(python)) {
    execFileSync("python3", ["-m", "venv", venv], { stdio: "inherit" });
    execFileSync(join(venv, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", "--retries", "0", PYTHON_MCP], { stdio: "inherit" });
  }
  env = await startDevEnvironment({
    onWorkerExit: exits.onWorkerExit,
    root: repoRoot,
    only: ["notes", "hello"],
    stateDir: mkdtempSync(join(tmpdir(), "python-state-")),
    ports: { issuer: await freePort(), workers: { notes: await freePort(), hello: await freePort() } },
    keyFile: join(mkdtempSync(join(tmpdir(), "python-")), "keys.json"),
  });
}, 600_000);

afterEach(exits.check);
afterAll(() => env?.stop(), 60_000);

describe("the Python MCP SDK 2.3 client", () => {
  it("pinned to 2026-07-28: lists and calls tools on hello and notes with a real token, no initialize", async () => {
    const hello = await pythonClient("hello", await tokenFor("hello", ["tools.read"]), "2026-07-28", "echo", { text: "from python" });
    expect(hello).toEqual({ protocolVersion: "2026-07-28", era: "modern", tools: ["echo", "time", "whoami"], isError: false, text: "from python" });
    const notesToken = await tokenFor("notes", ["tools.read", "tools.write"]);
    const added = await pythonClient("notes", notesToken, "2026-07-28", "add_note", { title: "py", text: "written by the Python SDK" });
    expect(added).toMatchObject({ era: "modern", isError: false });
    const listed = (await pythonClient("notes", notesToken, "2026-07-28", "list_notes", {})) as Seen;
    expect(listed.text).toContain("written by the Python SDK");
  });

  it("in its default mode probes with server/discover and settles on 2026-07-28", async () => {
    const seen = await pythonClient("hello", await tokenFor("hello", ["tools.read"]), "auto", "echo", { text: "auto" });
    expect(seen).toMatchObject({ protocolVersion: "2026-07-28", era: "modern", text: "auto" });
  });

  it("in the 2025 handshake gets a session on the stateful server, with the same tools", async () => {
    const seen = (await pythonClient("notes", await tokenFor("notes", ["tools.read"]), "legacy", "list_notes", {})) as Seen;
    expect(seen).toMatchObject({ protocolVersion: "2025-11-25", era: "legacy", isError: false });
    expect(seen.tools).toContain("add_note");
  });

  it("gets nothing with a token for another server: the server answers 401 (audience) and the client reports an error", async () => {
    const refused = await pythonClient("hello", await tokenFor("notes", ["tools.read"]), "2026-07-28", "echo", { text: "x" });
    expect(refused).toMatchObject({ error: { type: "MCPError" } });
    expect(refused).not.toHaveProperty("tools");
  });
});
