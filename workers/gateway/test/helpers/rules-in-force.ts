import { env, exports } from "cloudflare:workers";
import { vi } from "vitest";
import { RULES_KEY, rulesVersionDigest } from "../../src/rules-store.ts";

/**
 * Puts `rules` in the gateway's KV (or, with none, takes the KV document away: gateway.json's
 * rules apply) and waits until the gateway decides by them — its `/health` names the rules in
 * force. Every test file shares one isolate (vitest.config.ts), whose rules another file may have
 * set and which it re-reads only every `rulesRefreshMs` (2 s here).
 */
export async function rulesInForce(rules?: object): Promise<void> {
  const text = rules === undefined ? undefined : JSON.stringify(rules);
  if (text === undefined) await env.GATEWAY_RULES.delete(RULES_KEY);
  else await env.GATEWAY_RULES.put(RULES_KEY, text);
  const expected = await rulesVersionDigest(text ?? "bundled");
  await vi.waitFor(
    async () => {
      const health = (await (await exports.default.fetch(new Request("https://gateway-mcp.example.test/health"))).json()) as { rules?: { version: string | null } };
      if (health.rules?.version !== expected) throw new Error(`rules in force: ${health.rules?.version}, waiting for ${expected}`);
    },
    { timeout: 15_000, interval: 100 },
  );
}
