/**
 * Every bench script answers `--help` with its options and a usage mistake with one line and
 * exit code 2 (issue 24 §5), like the other edge-mcp CLIs — before it bundles or starts anything.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../../", import.meta.url).pathname;
const benches = readdirSync(`${root}bench`).filter((f) => f.endsWith(".ts") && f !== "run.ts");

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

// Each script loads its whole import graph before it reads its flags (~1 s): run them side by side.
describe.concurrent("bench scripts' command lines", { timeout: 60_000 }, () => {
  it("finds the bench scripts", () => {
    expect(benches).toContain("mcp-throughput.ts");
  });

  it.each(benches)("bench/%s answers --help with its options and an example", async (bench) => {
    const { code, stdout, stderr } = await run([`bench/${bench}`, "--help"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: bench\//);
    expect(stdout).toContain("Options:");
    expect(stdout).toContain(`$ node bench/${bench}`);
  });

  // One script stands for all: they share bench/lib/bench-args.ts.
  it("a bench script answers an unknown flag or a bad count with one line and exit code 2, no stack trace", async () => {
    const bench = "mcp-throughput.ts";
    const { code, stderr } = await run([`bench/${bench}`, "--no-such-flag"]);
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain(`see \`node bench/${bench} --help\``);
    const zero = await run([`bench/${bench}`, "--rounds", "0"]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain("must be at least 1");
  });

  it("npm run bench answers --help with the list of benches", async () => {
    const { code, stdout } = await run(["bench/run.ts", "--help"]);
    expect(code).toBe(0);
    for (const bench of benches) expect(stdout).toContain(`bench/${bench}`);
  });
});
