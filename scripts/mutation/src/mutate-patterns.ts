/**
 * Stryker's `mutate` patterns for a target: whole files as paths, anchored ranges as
 * `path:first-last` (Stryker's line-range syntax), resolved against the files as they are now.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MutatedFile, MutationTarget } from "./targets.ts";

/** A target that no longer matches the code: an anchor of its range is gone. */
export class MutationTargetError extends Error {
  readonly code = "anchor_not_found";
}

/** The path of a mutated file (or range), relative to its workspace. */
export const fileOf = (entry: MutatedFile) => (typeof entry === "string" ? entry : entry.file);

export function mutatePatterns(target: MutationTarget, root: string): string[] {
  return target.files.map((entry) => {
    const path = `${target.workspace}/${fileOf(entry)}`;
    if (typeof entry === "string") return path;
    const lines = readFileSync(join(root, path), "utf8").split("\n");
    const first = lines.findIndex((l) => l.includes(entry.from));
    const last = first === -1 ? -1 : lines.findIndex((l, i) => i > first && l.includes(entry.to));
    if (first === -1 || last === -1) {
      const missing = first === -1 ? entry.from : entry.to;
      throw new MutationTargetError(`${path} no longer holds the anchor ${JSON.stringify(missing)} of the "${target.name}" target: update its range in scripts/mutation/src/targets.ts.`);
    }
    return `${path}:${first + 1}-${last + 1}`;
  });
}
