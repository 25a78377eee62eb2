import { existsSync, readFileSync } from "node:fs";
import { writePrivateFile } from "@edge-mcp/config/private-file";

/**
 * A random secret for local development (e.g. the MRTR requestState key, a Worker secret in
 * production), kept in a git-ignored 0600 file so state minted before a restart still verifies.
 */
export function loadOrCreateSecret(file: string): string {
  if (existsSync(file)) {
    const value = readFileSync(file, "utf8").trim();
    if (/^[A-Za-z0-9_-]{43,}$/.test(value)) return value;
    throw new Error(`${file} does not hold a secret written by npm run dev; delete it to create a new one.`);
  }
  const value = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  writePrivateFile(file, `${value}\n`);
  return value;
}
