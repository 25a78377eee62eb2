import { existsSync } from "node:fs";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";

/**
 * One value of a worker's local KV namespace, as `wrangler dev --persist-to <dir>` keeps it (under
 * `<dir>/v3/kv`), or null when it holds none. Read through Miniflare — wrangler's own reader prints
 * a missing key as the text "Value not found" with exit code 0, indistinguishable from a value.
 */
export async function readLocalKv(persistTo: string, namespaceId: string, key: string): Promise<string | null> {
  const kvDir = join(persistTo, "v3", "kv");
  if (!existsSync(join(kvDir, namespaceId))) return null;
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: "export default { fetch: () => new Response(null) }",
      compatibilityDate: "2026-10-23",
      kvNamespaces: { KV: namespaceId },
      resourcePersistencePath: join(persistTo, "v3"),
      handleStructuredLogs: () => {},
    } as Parameters<typeof convertV4MiniflareOptions>[0]),
  );
  try {
    const kv = await mf.getKVNamespace("KV");
    return await kv.get(key);
  } finally {
    await mf.dispose();
  }
}
