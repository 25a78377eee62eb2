/**
 * `npm run lint` (after the type check): the house rules over every tracked source file, and
 * the lockfile's platform binaries. Exit 1 with one line per problem.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { houseRuleProblems, sourceFiles } from "./house-rules.ts";
import { lockfilePlatformProblems, type Lockfile } from "./lockfile-platforms.ts";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const files = sourceFiles(root);
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as Lockfile;
const problems = [...houseRuleProblems(root, files), ...lockfilePlatformProblems(lock)];

if (problems.length > 0) {
  console.error(problems.join("\n"));
  console.error(`\nlint: ${problems.length} problem(s).`);
  process.exit(1);
}
console.log(`lint: ${files.length} files follow the house rules; the lockfile has workerd and turbo for macOS, Linux and Windows.`);
