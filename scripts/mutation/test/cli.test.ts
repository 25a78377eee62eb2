import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { TARGETS } from "../src/targets.ts";

const CLI = resolve(import.meta.dirname, "../src/cli.ts");
const run = (...args: string[]) => promisify(execFile)(process.execPath, [CLI, ...args], { encoding: "utf8" }).then(
  (r) => ({ code: 0, ...r }),
  (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
);

describe("npm run mutation", () => {
  it("lists every target with what it guards, its files, its judges and its floor, and runs nothing (--list)", async () => {
    const { code, stdout } = await run("--list");
    expect(code).toBe(0);
    for (const t of TARGETS) expect(stdout).toContain(`${t.name.padEnd(10)} ${t.guards}`);
    expect(stdout).toMatch(/judged by test\/policy\.test\.ts.*floor \d+%/);
  });

  it("answers an unknown target with one usage line and exit code 2", async () => {
    const { code, stderr } = await run("--target", "nope");
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^mutation: .*nope.*auth, server, apis, gateway, oauth, provision.*--help/);
  });
});
