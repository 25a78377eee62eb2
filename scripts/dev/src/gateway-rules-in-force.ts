import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GATEWAY_RULES_BINDING, GATEWAY_RULES_KEY, GatewayRulesSchema, type GatewayConfig, type GatewayRule, type GatewayRules } from "@edge-mcp/config";
import { readLocalKv } from "./local-kv.ts";

/** The rules a gateway under `npm run dev` decides by, and where they come from. */
export interface GatewayRulesInForce {
  /** "gateway.json" (local KV holds none), "local KV" (a document pushed there wins), or "invalid local KV" (nobody gets in). */
  readonly source: "gateway.json" | "local KV" | "invalid local KV";
  readonly rules: GatewayRules;
  /** The command that deletes the local KV document, so gateway.json's rules apply again (run in the gateway's folder). */
  readonly deleteCommand: string;
}

/** The id of the gateway's rules namespace in its local wrangler.toml (`[[kv_namespaces]]` with the rules binding). */
function localNamespaceId(workerDir: string): string | undefined {
  const toml = readFileSync(join(workerDir, "wrangler.toml"), "utf8");
  for (const block of toml.split(/^\[\[kv_namespaces\]\]\s*$/m).slice(1)) {
    const body = block.split(/^\[/m)[0]!;
    if (new RegExp(`^binding\\s*=\\s*"${GATEWAY_RULES_BINDING}"`, "m").test(body)) return /^id\s*=\s*"([^"]+)"/m.exec(body)?.[1];
  }
  return undefined;
}

/**
 * What the running gateway decides by: a rules document in its local KV (put there by `wrangler kv
 * key put`, as `npm run provision -- routes` does in production) overrides gateway.json's rules —
 * across restarts, since the state is kept — so the banner says which is in force.
 */
export async function gatewayRulesInForce(workerDir: string, config: GatewayConfig, persistTo: string | undefined): Promise<GatewayRulesInForce> {
  const persistFlag = persistTo === undefined ? "" : ` --persist-to ${persistTo}`;
  const deleteCommand = `npx wrangler kv key delete ${GATEWAY_RULES_KEY} --binding ${GATEWAY_RULES_BINDING} --local${persistFlag}`;
  const bundled = { rules: config.rules, aliases: config.aliases };
  const id = localNamespaceId(workerDir);
  const stored = id === undefined ? null : await readLocalKv(persistTo ?? join(workerDir, ".wrangler", "state"), id, GATEWAY_RULES_KEY);
  if (stored === null) return { source: "gateway.json", rules: bundled, deleteCommand };
  let parsed: ReturnType<typeof GatewayRulesSchema.safeParse> | undefined;
  try {
    parsed = GatewayRulesSchema.safeParse(JSON.parse(stored));
  } catch {
    parsed = undefined;
  }
  return parsed?.success === true ? { source: "local KV", rules: parsed.data, deleteCommand } : { source: "invalid local KV", rules: { rules: [], aliases: {} }, deleteCommand };
}

/** One rule as a line: its name, who it matches, what it allows. */
export function describeRule(rule: GatewayRule, index: number): string {
  const { sub, claim, scope } = rule.when;
  const who = [
    ...(sub === undefined ? [] : [typeof sub === "string" ? sub : sub.join(" | ")]),
    ...(claim === undefined ? [] : [`claim ${claim.name} ∋ ${claim.includes}`]),
    ...(scope === undefined ? [] : [`scope ${scope}`]),
  ].join(", ");
  return `${rule.name ?? `rule ${index}`} (${who}): ${rule.allow.join(" ")}`;
}
