import type { z } from "zod";

/** Turns the first zod issue of a factory's options into a TypeError naming the option. */
export function optionError(factory: string, error: z.ZodError): TypeError {
  const issue = error.issues[0];
  const name = issue?.path.join(".") || "options";
  return new TypeError(`${factory}: option "${name}" ${issue?.message ?? "is invalid"}`);
}
