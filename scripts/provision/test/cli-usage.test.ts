/**
 * `npm run provision` / `npm run deploy` as a user types them: help with usage and an example for
 * every command, `--version`, and usage mistakes as one line with a hint and exit code 2.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const exec = promisify(execFile);
const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const COMMANDS = ["provision", "apply", "plan", "verify-tenant", "tenant", "add-scope", "grant", "teardown", "routes", "deploy", "new"];

async function run(...args: string[]) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [cli, ...args], { env: { ...process.env, AUTH0_DOMAIN: "" } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function expectOneLineMistake(result: { code: number; stdout: string; stderr: string }, text: string | RegExp) {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe("");
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(typeof text === "string" ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : text);
  expect(lines[0]).toContain("see `npm run provision -- --help`");
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe("provision CLI usage", () => {
  it("answers --help with usage, every command, and examples", async () => {
    const { code, stdout } = await run("--help");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: provision \[options\] \[command\]/);
    for (const command of COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    expect(stdout).toContain("Examples:\n  $ npm run provision -- plan");
  });

  it.each(COMMANDS)("answers `%s --help` with its usage and an example", async (command) => {
    const { code, stdout, stderr } = await run(command, "--help");
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toMatch(new RegExp(`^Usage: provision ${command} `));
    expect(stdout).toMatch(/Examples:\n {2}\$ npm run (provision|deploy)/);
    expect(stdout).toContain("--dry-run");
  });

  it("prints its version", async () => {
    const { code, stdout } = await run("--version");
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("names an unknown flag, with the flag it probably meant", async () => {
    expectOneLineMistake(await run("plan", "--lnly", "server:notes"), "provision: unknown option '--lnly' (did you mean --only?)");
  });

  it("names a bad value: a negative --rate, a tenant state that does not exist", async () => {
    expectOneLineMistake(await run("plan", "--rate", "-3"), "option '--rate <requests/s>' argument '-3' is invalid: must be requests per second");
    expectOneLineMistake(await run("tenant", "dcr", "maybe"), "'maybe' is invalid for argument 'state'. Allowed choices are enable, disable");
  });

  it("names a missing argument and an unknown command", async () => {
    expectOneLineMistake(await run("add-scope", "notes"), "missing required argument 'scope'");
    expectOneLineMistake(await run("frobnicate"), 'Unknown command "frobnicate"; commands: provision, apply, plan');
    expectOneLineMistake(await run("teardown"), "teardown: name the servers");
  });
});
