/**
 * `npm run dev` and `npm run token` as a user types them: `--help` with usage and examples,
 * `--version`, and usage mistakes as one line with a hint and exit code 2 — never a stack.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const exec = promisify(execFile);
const root = fileURLToPath(new URL("../../..", import.meta.url));
const CLIS = { dev: fileURLToPath(new URL("../src/cli/dev.ts", import.meta.url)), token: fileURLToPath(new URL("../src/cli/token.ts", import.meta.url)) };

async function run(cli: keyof typeof CLIS, ...args: string[]) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLIS[cli], ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function expectMistake(result: { code: number; stdout: string; stderr: string }, line: string) {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr.trimEnd().split("\n")).toEqual([line]);
}

describe("dev and token CLI usage", () => {
  it.each(["dev", "token"] as const)("npm run %s -- --help prints usage, options and examples", async (cli) => {
    const { code, stdout } = await run(cli, "--help");
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: ${cli} \\[options\\]`));
    expect(stdout).toContain("Examples:\n  $ ");
  });

  it.each(["dev", "token"] as const)("npm run %s -- --version prints the version", async (cli) => {
    const { code, stdout } = await run(cli, "--version");
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("token --expires-in -60 and 0 say 'at least 1', abc says 'whole number' (exit 2, one line)", async () => {
    expectMistake(await run("token", "--server", "notes", "--expires-in", "-60"), "token: option '--expires-in <seconds>' argument '-60' is invalid: must be at least 1 — see `npm run -s token -- --help`.");
    expectMistake(await run("token", "--server", "notes", "--expires-in", "0"), "token: option '--expires-in <seconds>' argument '0' is invalid: must be at least 1 — see `npm run -s token -- --help`.");
    expectMistake(await run("token", "--server", "notes", "--expires-in", "abc"), "token: option '--expires-in <seconds>' argument 'abc' is invalid: must be a whole number of seconds — see `npm run -s token -- --help`.");
  });

  it("names an unknown flag with its likely meaning", async () => {
    expectMistake(await run("token", "--serve", "notes"), "token: unknown option '--serve' (did you mean --server?) — see `npm run -s token -- --help`.");
    expectMistake(await run("dev", "--verbos"), "dev: unknown option '--verbos' (did you mean --verbose?) — see `npm run dev -- --help`.");
  });

  it("dev names a bad --port or --issuer-port value before starting anything", async () => {
    expectMistake(await run("dev", "--port", "notes"), "dev: option '--port <slug=port>' argument 'notes' is invalid: takes <slug>=<port>, e.g. notes=9789 — see `npm run dev -- --help`.");
    expectMistake(await run("dev", "--issuer-port", "80"), "dev: option '--issuer-port <port>' argument '80' is invalid: must be at least 1024 — see `npm run dev -- --help`.");
  });
});
