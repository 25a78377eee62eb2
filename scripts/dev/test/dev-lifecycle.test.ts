/**
 * `npm run dev` as a user runs it: the real CLI in its own process, its printed commands run
 * as printed, and every way it can end — Ctrl-C, a closed terminal (SIGHUP), SIGKILL — leaves
 * no worker behind holding a port.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { busyPorts, freePort } from "../src/index.ts";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const devCli = fileURLToPath(new URL("../src/cli/dev.ts", import.meta.url));
const sh = promisify(execFile);

interface DevRun {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function startDev(args: string[]): DevRun {
  const child = spawn(process.execPath, [devCli, "--only", "hello", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += String(d)));
  child.stderr!.on("data", (d) => (out += String(d)));
  return { child, output: () => out, exited: new Promise((resolve) => child.on("exit", (code) => resolve(code))) };
}

async function untilReady(run: DevRun): Promise<string> {
  for (let i = 0; i < 1500 && !run.output().includes("Ctrl-C stops everything."); i++) {
    if (run.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(run.output()).toContain("Ctrl-C stops everything.");
  return run.output();
}

async function untilFree(ports: number[], timeoutMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let busy = await busyPorts(ports.map((port) => ({ port, purpose: "test" })));
  while (busy.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    busy = await busyPorts(ports.map((port) => ({ port, purpose: "test" })));
  }
  return busy.map((b) => b.port);
}

/** Runs the printed `TOKEN=$(…)` and curl lines in a shell, exactly as printed. */
async function runPrintedCurl(output: string): Promise<string> {
  const lines = output.split("\n");
  const at = lines.findIndex((l) => l.trim().startsWith("TOKEN=$("));
  expect(at).toBeGreaterThan(-1);
  const script = lines.slice(at, at + 3).map((l) => l.trim()).join("\n");
  const { stdout } = await sh("bash", ["-c", script], { cwd: root });
  return stdout;
}

describe("npm run dev, end to end", () => {
  it("on configured ports: every printed command works as printed; no oidc-provider warning; Ctrl-C stops everything", { timeout: 180_000 }, async () => {
    const run = startDev([]);
    const out = await untilReady(run);
    expect(out).not.toMatch(/oidc-provider WARNING/);
    expect(out).toContain("dev: the authorization server keeps client registrations and refresh tokens in memory");
    expect(out).not.toMatch(/--issuer-port|--resource/);
    expect(await runPrintedCurl(out)).toContain('"serverInfo"');
    for (const url of out.match(/claude mcp add --transport http \S+ (\S+)/g)!.map((l) => l.split(" ").at(-1)!)) {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("resource_metadata=");
    }
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    expect(await untilFree([9400, 8787], 5_000)).toEqual([]);
  });

  it("with --issuer-port / --port overrides: the printed token command carries them and works; SIGHUP stops everything", { timeout: 180_000 }, async () => {
    const [issuerPort, helloPort] = [await freePort(), await freePort()];
    const run = startDev(["--issuer-port", String(issuerPort), "--port", `hello=${helloPort}`]);
    const out = await untilReady(run);
    expect(out).toContain(`--issuer-port ${issuerPort} --resource http://localhost:${helloPort}/mcp`);
    expect(await runPrintedCurl(out)).toContain('"serverInfo"');
    run.child.kill("SIGHUP");
    expect(await run.exited).toBe(0);
    expect(await untilFree([issuerPort, helloPort], 5_000)).toEqual([]);
  });

  it("after SIGKILL of the parent its workers are stopped, and a fresh npm run dev on the same ports starts", { timeout: 240_000 }, async () => {
    const [issuerPort, helloPort] = [await freePort(), await freePort()];
    const args = ["--issuer-port", String(issuerPort), "--port", `hello=${helloPort}`];
    const killed = startDev(args);
    await untilReady(killed);
    killed.child.kill("SIGKILL");
    await killed.exited;
    const again = startDev(args);
    const out = await untilReady(again);
    expect(out).not.toContain("in use");
    expect((await fetch(`http://localhost:${helloPort}/health`)).status).toBe(200);
    again.child.kill("SIGINT");
    expect(await again.exited).toBe(0);
    expect(await untilFree([issuerPort, helloPort], 5_000)).toEqual([]);
  });

  it("says which worker stopped on its own, how, and what to do, while the rest keep running", { timeout: 180_000 }, async () => {
    const [issuerPort, helloPort] = [await freePort(), await freePort()];
    const run = startDev(["--issuer-port", String(issuerPort), "--port", `hello=${helloPort}`]);
    await untilReady(run);
    // hello's wrangler (its own process group, workerd included), found by the port it serves.
    const { stdout } = await sh("pgrep", ["-f", `wrangler.* dev --port ${helloPort} `]);
    const pid = Number(stdout.trim().split("\n")[0]);
    expect(pid).toBeGreaterThan(0);
    process.kill(-pid, "SIGKILL");
    for (let i = 0; i < 100 && !run.output().includes("stopped on its own"); i++) await new Promise((r) => setTimeout(r, 100));
    expect(run.output()).toContain("dev: hello stopped on its own (wrangler exited with signal SIGKILL); the other workers keep running.");
    expect(run.output()).toContain("then stop (Ctrl-C) and run npm run dev again");
    expect((await fetch(`http://localhost:${issuerPort}/.well-known/openid-configuration`)).status).toBe(200); // the issuer still runs
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    expect(await untilFree([issuerPort, helloPort], 5_000)).toEqual([]);
  });
});
