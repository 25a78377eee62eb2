/**
 * `npm run bench`: runs every benchmark in this folder, one after another, each printing a
 * table of ratios measured within its own run.
 */
import { spawnSync } from "node:child_process";

const BENCHES = ["auth-verify.ts", "mcp-throughput.ts", "keep-names.ts", "audit-cost.ts", "gateway.ts", "hop-transports.ts", "facade-token.ts", "provision-calls.ts"];

for (const bench of BENCHES) {
  console.log(`\n=== bench/${bench} ===`);
  const result = spawnSync(process.execPath, [new URL(bench, import.meta.url).pathname, ...process.argv.slice(2)], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
