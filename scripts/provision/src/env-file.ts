import { existsSync, readFileSync } from "node:fs";
import { writePrivateFile } from "@edge-mcp/config/private-file";
import { parseDotEnv } from "./env.ts";

export const BLOCK_BEGIN = "# >>> edge-mcp managed (npm run provision) — do not edit inside this block >>>";
export const BLOCK_END = "# <<< edge-mcp managed <<<";

/**
 * Writes `values` into the managed block of a .env file: atomically (an exclusively created temp
 * file with a random name + rename), mode
 * 0600, keeping every line outside the block as it was and keys already in the block that this
 * run does not set. Returns the names written (never the values).
 */
export function writeManagedEnv(file: string, values: Record<string, string>): string[] {
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  const begin = text.indexOf(BLOCK_BEGIN);
  const end = text.indexOf(BLOCK_END);
  const hasBlock = begin !== -1 && end > begin;
  const before = hasBlock ? text.slice(0, begin) : text;
  const after = hasBlock ? text.slice(end + BLOCK_END.length) : "";
  const existing = hasBlock ? parseDotEnv(text.slice(begin + BLOCK_BEGIN.length, end)) : {};
  const merged = { ...existing, ...values };
  for (const [k, v] of Object.entries(merged)) {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(k) || /[\r\n]/.test(v)) throw new TypeError(`writeManagedEnv: refusing to write ${k}`);
  }
  const block = [BLOCK_BEGIN, ...Object.keys(merged).sort().map((k) => `${k}=${merged[k]}`), BLOCK_END].join("\n");
  const head = before === "" || before.endsWith("\n") ? before : `${before}\n`;
  const next = `${head}${block}${after.startsWith("\n") ? after : `\n${after}`}`;
  // A random temporary name created exclusively (never a planted file or symlink), then renamed.
  writePrivateFile(file, next);
  return Object.keys(values);
}

/** `EDGE_MCP_CLIENT_<KEY>_ID` / `_SECRET` for an ecosystem.json client key. */
export function clientEnvNames(key: string): { id: string; secret: string } {
  const base = `EDGE_MCP_CLIENT_${key.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
  return { id: `${base}_ID`, secret: `${base}_SECRET` };
}
