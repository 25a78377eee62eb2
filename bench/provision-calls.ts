/**
 * Benchmark (call counts, not time): Management API calls of `npm run provision` for a fleet of
 * 50 MCP servers × 5 applications against the faithful Auth0 fake — first run on an empty
 * tenant, the no-op re-run (goal ≤ 10 calls, 0 writes) and a dry run (0 writes).
 *
 *   node bench/provision-calls.ts [--servers 50] [--clients 5]
 */
import { benchArgs } from "./lib/bench-args.ts";
import { fleetOf, setup } from "../scripts/provision/test/helpers.ts";
import { printTable } from "./lib/stats.ts";

const values = await benchArgs("bench/provision-calls.ts", "Management API calls of npm run provision against the faithful Auth0 fake (counts, not time).", { servers: { type: "string", default: "50" }, clients: { type: "string", default: "5" } });
const { servers, ecosystem } = fleetOf(Number(values.servers), Number(values.clients));
const s = await setup(servers, ecosystem);
try {
  const dry = await s.run({ dryRun: true });
  const first = await s.run();
  const again = await s.run();
  console.log(`\nnpm run provision — ${values.servers} servers × ${values.clients} applications (Management API calls; the one credentials exchange not counted)\n`);
  printTable([
    { run: "dry run on an empty tenant", changes: dry.plan.changes.length, "API calls": dry.managementCalls, writes: dry.writeCalls },
    { run: "first apply", changes: first.plan.changes.length, "API calls": first.managementCalls, writes: first.writeCalls },
    { run: "no-op re-run (goal ≤ 10 calls, 0 writes)", changes: again.plan.changes.length, "API calls": again.managementCalls, writes: again.writeCalls },
  ]);
  console.log(`\nAt the default 2 requests/s the first apply takes about ${Math.ceil(first.managementCalls / 2)} s; a no-op re-run about ${Math.ceil(again.managementCalls / 2)} s.`);
} finally {
  await s.fake.stop();
}
