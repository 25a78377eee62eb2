import { existsSync, readFileSync } from "node:fs";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { z } from "zod";
import { writePrivateFile } from "@edge-mcp/config/private-file";

const KeyFileSchema = z.object({ keys: z.array(z.looseObject({ kty: z.literal("RSA"), kid: z.string(), d: z.string() })).min(1) });

/**
 * The signing key of the local authorization server, kept in a git-ignored file so tokens
 * survive a restart. Created on first use (mode 0600, written atomically).
 */
export async function loadOrCreateSigningKey(file: string): Promise<JWK & { kid: string }> {
  if (existsSync(file)) {
    const parsed = KeyFileSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (!parsed.success) throw new Error(`${file} is not a key file written by dev-auth; delete it to create a new key.`);
    return parsed.data.keys[0] as JWK & { kid: string };
  }
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: `dev-${new Date().toISOString().slice(0, 10)}-${crypto.randomUUID().slice(0, 8)}`, alg: "RS256", use: "sig" };
  writePrivateFile(file, JSON.stringify({ keys: [jwk] }, null, 2));
  return jwk as JWK & { kid: string };
}
