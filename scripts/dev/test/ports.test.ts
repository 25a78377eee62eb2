import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { claimPort, freePort, HANDOUT_PORTS, handoutRange } from "../src/ports.ts";

const run = promisify(execFile);
const portsModule = fileURLToPath(new URL("../src/ports.ts", import.meta.url));

describe("freePort", () => {
  it("never hands one port to two callers, in this process or another one running at the same time (parallel fleets)", async () => {
    // Another process takes 40 ports while this one takes 40: no port may be in both lists.
    const other = run(process.execPath, ["--input-type=module", "-e", `const { freePort } = await import(${JSON.stringify(portsModule)}); const got = []; for (let i = 0; i < 40; i++) got.push(await freePort()); console.log(JSON.stringify(got));`]);
    const mine: number[] = [];
    for (let i = 0; i < 40; i++) mine.push(await freePort());
    const theirs = JSON.parse((await other).stdout) as number[];
    expect(new Set(mine).size).toBe(40);
    expect(new Set(theirs).size).toBe(40);
    expect(mine.filter((port) => theirs.includes(port))).toEqual([]);
  });

  it("refuses a port another live process claimed, and frees a process's claims when it exits", async () => {
    // The other process takes a port with freePort, then waits for a line on stdin before it exits.
    const child = spawn(process.execPath, ["--input-type=module", "-e", `const { freePort } = await import(${JSON.stringify(portsModule)}); console.log(await freePort()); process.stdin.once("data", () => process.exit(0));`], { stdio: ["pipe", "pipe", "inherit"] });
    const port = Number(await new Promise<string>((resolve) => child.stdout!.once("data", (d: Buffer) => resolve(String(d).trim()))));
    expect(port).toBeGreaterThan(0);
    expect(claimPort(port)).toBe(false); // the other process holds it
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.stdin!.write("bye\n");
    await exited;
    expect(claimPort(port)).toBe(true); // its claims went with it
  });
});

describe("handoutRange", () => {
  it("hands out ports below the ephemeral range every OS uses by default, so no OS-assigned port can take one before its server binds it", async () => {
    expect(handoutRange({ from: 32768, to: 60999 })).toEqual(HANDOUT_PORTS); // Linux default
    expect(handoutRange({ from: 49152, to: 65535 })).toEqual(HANDOUT_PORTS); // macOS, Windows
    expect(HANDOUT_PORTS.to).toBeLessThan(32768);
    const range = handoutRange()!;
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      expect(port).toBeGreaterThanOrEqual(range.from);
      expect(port).toBeLessThanOrEqual(range.to);
    }
  });

  it("leaves out whatever part a changed ephemeral range (sysctl) overlaps, and gives up on a range with no room left", () => {
    expect(handoutRange({ from: 25000, to: 60999 })).toEqual({ from: HANDOUT_PORTS.from, to: 24999 });
    expect(handoutRange({ from: 10000, to: 30000 })).toEqual({ from: 30001, to: HANDOUT_PORTS.to });
    expect(handoutRange({ from: 1024, to: 65535 })).toBeUndefined();
  });
});
