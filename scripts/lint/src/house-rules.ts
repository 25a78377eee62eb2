/**
 * `npm run lint`: the house rules a type checker cannot see, over every source file git tracks
 * under packages/, workers/, scripts/ and bench/:
 * - a source file stays under 400 lines (split by responsibility);
 * - a package's `src/index.ts` only re-exports (it is the whole public surface);
 * - nothing imports another package's or worker's internals by relative path;
 * - no console call mentions a token, secret or Authorization value (the dev token CLI, whose
 *   job is to print a development token, is the one exception).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const MAX_LINES = 400;

/** Source files git tracks under packages/, workers/, scripts/ and bench/ of `root`. */
export function sourceFiles(root: string): string[] {
  return execFileSync("git", ["ls-files", "packages", "workers", "scripts", "bench"], { cwd: root, encoding: "utf8" })
    .split("\n")
    .filter((f) => /\.(ts|mts|js|mjs)$/.test(f) && !f.includes("/node_modules/"));
}

/** Every house-rule violation in `files` (paths relative to `root`), one line each. */
export function houseRuleProblems(root: string, files: readonly string[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    problems.push(...fileProblems(file, readFileSync(join(root, file), "utf8")));
  }
  return problems;
}

function fileProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  const lines = text.split("\n");
  if (lines.length > MAX_LINES) problems.push(`${file}: ${lines.length} lines (split it: at most ${MAX_LINES})`);

  if (/^packages\/[^/]+\/src\/index\.ts$/.test(file)) {
    const code = lines.filter((l) => l.trim() !== "" && !l.trim().startsWith("//"));
    const statements = code.join("\n").split(";").map((s) => s.trim()).filter(Boolean);
    for (const statement of statements) {
      if (!/^(export\s|import\s+"[^"]+"$)/.test(statement)) problems.push(`${file}: index.ts may only re-export, found: ${statement.slice(0, 60)}`);
    }
  }

  for (const [i, line] of lines.entries()) {
    const from = /from\s+["'](\.\.\/[^"']+)["']/.exec(line)?.[1];
    if (from !== undefined && /(^|\/)\.\.\/\.\.\/(packages|workers|scripts)\//.test(from)) {
      problems.push(`${file}:${i + 1}: imports another workspace by path (${from}); import its package name`);
    }
    const isTest = /(^|\/)test\//.test(file);
    if (!isTest && file !== "scripts/dev/src/cli/token.ts" && /console\.(log|info|warn|error|debug)\(.*(token|secret|authorization)/i.test(line)) {
      problems.push(`${file}:${i + 1}: a console call mentions a token, secret or Authorization value`);
    }
  }
  return problems;
}
