/**
 * The options of a bench script, on the same commander kit as every edge-mcp CLI: `--help` lists
 * them with their defaults and an example, and a mistake (an unknown flag, `--rounds 0`) is one
 * line and exit code 2, never a stack trace.
 */
import { createCli, runCli, wholeNumber } from "@edge-mcp/dev/cli-kit";

/** What each option the bench scripts share means. */
const MEANING: Readonly<Record<string, string>> = {
  rounds: "interleaved rounds (ratios are paired within a round)",
  seconds: "seconds of load per variant and round",
  connections: "concurrent connections of the load generator",
  profile: "record a CPU profile of this variant instead of measuring",
  depth: "callers shown per function in a profile",
  inclusive: "order a profile by inclusive time instead of self time",
  batch: "verifications per timed batch",
  servers: "MCP servers in the fleet",
  clients: "applications in the fleet",
};

/** Options whose value is a count (validated as a whole number ≥ 1, kept as the string given). */
const COUNTS = new Set(["rounds", "seconds", "connections", "depth", "batch", "servers", "clients"]);

type Spec = Record<string, { readonly type: "string"; readonly default?: string } | { readonly type: "boolean"; readonly default?: boolean }>;
type Values<S extends Spec> = { [K in keyof S]: S[K] extends { type: "boolean" } ? boolean : S[K] extends { default: string } ? string : string | undefined };

/** Parses this bench's flags (`script`: its path under the repo, e.g. `bench/gateway.ts`). */
export async function benchArgs<S extends Spec>(script: string, description: string, spec: S, examples: readonly string[] = []): Promise<Values<S>> {
  const program = createCli({ name: script, script: `node ${script}`, version: "0.1.0", description, examples: [`node ${script}`, ...examples] });
  const count = wholeNumber(1);
  for (const [name, option] of Object.entries(spec)) {
    const meaning = MEANING[name] ?? name;
    if (option.type === "boolean") program.option(`--${name}`, meaning, option.default ?? false);
    else if (COUNTS.has(name)) program.option(`--${name} <n>`, meaning, (value: string) => String(count(value)), option.default);
    else program.option(`--${name} <value>`, meaning, option.default);
  }
  let values: Values<S> | undefined;
  program.action((opts: Values<S>) => {
    values = opts;
  });
  await runCli(program, `node ${script}`, process.argv, `node ${script} --help`);
  return values!;
}
