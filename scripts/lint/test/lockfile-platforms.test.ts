import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lockfilePlatformProblems, type Lockfile } from "../src/index.ts";

const lockFile = fileURLToPath(new URL("../../../package-lock.json", import.meta.url));
const committed = (): Lockfile & { packages: Record<string, Record<string, unknown>> } => JSON.parse(readFileSync(lockFile, "utf8"));

function without(lock: ReturnType<typeof committed>, match: RegExp) {
  return { ...lock, packages: Object.fromEntries(Object.entries(lock.packages).filter(([path]) => !match.test(path))) };
}

describe("the lockfile check of npm run lint", () => {
  it("passes the committed lockfile: workerd and turbo binaries for macOS, Linux and Windows", () => {
    expect(lockfilePlatformProblems(committed())).toEqual([]);
  });

  it("fails a lockfile written without the macOS binaries (npm/cli#4828), naming them", () => {
    const problems = lockfilePlatformProblems(without(committed(), /node_modules\/@(cloudflare\/workerd|turbo)\/?[a-z-]*darwin/));
    expect(problems.join("\n")).toMatch(/lacks @cloudflare\/workerd-darwin-arm64@/);
    expect(problems.join("\n")).toMatch(/lacks @turbo\/darwin-64@/);
    expect(problems.join("\n")).toContain("no darwin binary for workerd");
    expect(problems.at(-1)).toContain("rm -rf node_modules package-lock.json && npm install");
  });

  it("fails a lockfile without the Windows binaries, and one without the Linux ones", () => {
    expect(lockfilePlatformProblems(without(committed(), /windows/)).join("\n")).toContain("no win32 binary for turbo");
    expect(lockfilePlatformProblems(without(committed(), /linux/)).join("\n")).toContain("no linux binary for workerd");
  });

  it("fails a platform binary locked at another version than its package wants", () => {
    const lock = committed();
    const path = "node_modules/@turbo/windows-64";
    const changed = { ...lock, packages: { ...lock.packages, [path]: { ...lock.packages[path], version: "0.0.1" } } };
    expect(lockfilePlatformProblems(changed).join("\n")).toMatch(/lacks @turbo\/windows-64@\d/);
  });

  it("fails a lockfile v1 (no packages map)", () => {
    expect(lockfilePlatformProblems({ lockfileVersion: 1 })[0]).toContain("lockfileVersion ≥ 2");
  });
});
