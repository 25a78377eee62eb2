import { env, exports } from "cloudflare:workers";
import { OPERATOR_SCOPE } from "@edge-mcp/server";
import { createTokenFactory } from "@edge-mcp/testing";
import { inject, vi } from "vitest";
import { RULES_KEY, rulesVersionDigest } from "../../src/rules-store.ts";

/**
 * Puts `rules` in the gateway's KV (or, with none, takes the KV document away: gateway.json's
 * rules apply) and waits until the gateway decides by them — its `/health` names the rules in
 * force. Every test file shares one isolate (vitest.config.ts), whose rules another file may have
 * set and which it re-reads only every `rulesRefreshMs` (2 s here).
 */
/** A request for the gateway's `/health` as an operator (its detail needs the operator scope). */
export async function operatorHealth(): Promise<Request> {
  const token = createTokenFactory(inject("privateJwk"), { issuer: "https://tenant.example-auth.test/", audience: "https://gateway-mcp.example.test/mcp" });
  return new Request("https://gateway-mcp.example.test/health", { headers: { authorization: `Bearer ${await token({ sub: "auth0|operator", scopes: [OPERATOR_SCOPE] })}` } });
}

export async function rulesInForce(rules?: object): Promise<void> {
  const text = rules === undefined ? undefined : JSON.stringify(rules);
  if (text === undefined) await env.GATEWAY_RULES.delete(RULES_KEY);
  else await env.GATEWAY_RULES.put(RULES_KEY, text);
  const expected = await rulesVersionDigest(text ?? "bundled");
  await vi.waitFor(
    async () => {
      const health = (await (await exports.default.fetch(await operatorHealth())).json()) as { rules?: { version: string | null } };
      if (health.rules?.version !== expected) throw new Error(`rules in force: ${health.rules?.version}, waiting for ${expected}`);
    },
    { timeout: 15_000, interval: 100 },
  );
}
