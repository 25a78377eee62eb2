/**
 * `npm run bench`: runs every benchmark in this folder, one after another, each printing a
 * table of ratios measured within its own run.
 */
import { spawnSync } from "node:child_process";

const BENCHES = ["auth-verify.ts", "mcp-throughput.ts", "keep-names.ts", "audit-cost.ts", "observability-cost.ts", "acting-as-user.ts", "gateway.ts", "hop-transports.ts", "facade-token.ts", "provision-calls.ts"];

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  console.log(`Usage: npm run bench [-- options]\n\nRuns every benchmark in bench/, one after another; options go to each of them.\nEach one's own options: node bench/<name> --help\n\n${BENCHES.map((b) => `  bench/${b}`).join("\n")}`);
  process.exit(0);
}

for (const bench of BENCHES) {
  console.log(`\n=== bench/${bench} ===`);
  const result = spawnSync(process.execPath, [new URL(bench, import.meta.url).pathname, ...process.argv.slice(2)], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
