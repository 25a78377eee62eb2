/**
 * What every edge-mcp CLI (`npm run dev`, `token`, `provision`, `deploy`) shares, on
 * commander: `--help` with usage and an example, `--version`, and usage mistakes (an unknown
 * flag, a bad value, a missing argument) answered with one line naming the mistake and a hint
 * — exit code 2, never a stack trace.
 */
import { Command, CommanderError, InvalidArgumentError } from "commander";

/** Exit code of a usage mistake (the convention of POSIX utilities and shells). */
export const USAGE_EXIT_CODE = 2;

/** Commander codes that are not mistakes: the user asked for help or the version. */
const NOT_A_MISTAKE = new Set(["commander.helpDisplayed", "commander.help", "commander.version", "commander.executeSubCommandAsync"]);

/**
 * A commander program for `npm run <script>`: usage mistakes throw (so `runCli` can print them
 * in one line), commander's own error output is silenced, and help ends with the examples.
 */
export function createCli(options: { name: string; script: string; version: string; description: string; examples: readonly string[] }): Command {
  return new Command(options.name)
    .description(options.description)
    .version(options.version, "-V, --version", "print the version")
    .helpOption("-h, --help", "show usage and examples")
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .addHelpText("after", examplesText(options.examples));
}

/** The "Examples:" block of a command's help. */
export function examplesText(examples: readonly string[]): string {
  return `\nExamples:\n${examples.map((e) => `  $ ${e}`).join("\n")}`;
}

/** A usage mistake, from commander, as one line: `token: option '--expires-in <seconds>' argument '0' is invalid: must be at least 1.` */
export function usageLine(name: string, error: CommanderError): string {
  const message = error.message
    .replace(/^error:\s*/i, "")
    .replace(/ is invalid\. /, " is invalid: ")
    .replace(/\s*\n\s*\(Did you mean/i, " (did you mean")
    .replace(/\s*\n\s*/g, " ")
    .replace(/\.$/, "");
  return `${name}: ${message}`;
}

/**
 * Parses argv and runs the matched action. A usage mistake prints one line and a hint and exits
 * with code 2; help and version exit 0. Errors thrown by the action itself propagate.
 */
export async function runCli(program: Command, script: string, argv: readonly string[] = process.argv, help = `${script} -- --help`): Promise<void> {
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (NOT_A_MISTAKE.has(error.code) || error.exitCode === 0) process.exit(0);
    console.error(`${usageLine(program.name(), error)} — see \`${help}\`.`);
    process.exit(USAGE_EXIT_CODE);
  }
}

/** An option parser for whole numbers in [min, max]; `unit` names what is counted ("seconds"). */
export function wholeNumber(min: number, max: number = Number.MAX_SAFE_INTEGER, unit = ""): (value: string) => number {
  const what = unit === "" ? "a whole number" : `a whole number of ${unit}`;
  return (value) => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`must be ${what}`);
    const n = Number(value);
    if (n < min) throw new InvalidArgumentError(`must be at least ${min}`);
    if (n > max) throw new InvalidArgumentError(`must be at most ${max}`);
    return n;
  };
}

/** A TCP port a local server may listen on without privileges. */
export const portNumber = wholeNumber(1024, 65535);

export { InvalidArgumentError };
