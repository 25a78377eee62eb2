import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadFleet } from "@edge-mcp/config/load";
import { describe, expect, it } from "vitest";
import { gatewayRulesInForce } from "../src/gateway-rules-in-force.ts";
import { binOf } from "../src/index.ts";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const gatewayDir = join(repoRoot, "workers/gateway");
const shipped = loadFleet(repoRoot).servers.find((s) => s.manifest.slug === "gateway")!.gateway!;

/** What a developer (or docs/gateway.md's command) does: a rules document into the gateway's local KV. */
function putLocalRules(persistTo: string, text: string): void {
  const file = join(mkdtempSync(join(tmpdir(), "rules-doc-")), "rules.json");
  writeFileSync(file, text);
  const put = spawnSync(process.execPath, [binOf("wrangler", "wrangler", gatewayDir), "kv", "key", "put", "rules", "--path", file, "--binding", "GATEWAY_RULES", "--local", "--persist-to", persistTo], { cwd: gatewayDir, env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, encoding: "utf8" });
  if (put.status !== 0) throw new Error(put.stderr);
}

describe("the rules a dev gateway decides by", () => {
  it("are gateway.json's while its local KV holds none", async () => {
    const inForce = await gatewayRulesInForce(gatewayDir, shipped, mkdtempSync(join(tmpdir(), "empty-state-")));
    expect(inForce.source).toBe("gateway.json");
    expect(inForce.rules.rules).toEqual(shipped.rules);
  });

  it("are the local KV document's once one was put there (it overrides gateway.json across restarts), with the command that deletes it", async () => {
    const state = mkdtempSync(join(tmpdir(), "kv-state-"));
    const pushed = { rules: [{ name: "only-carol", when: { sub: "dev|carol" }, allow: ["hello.*"] }], aliases: {} };
    putLocalRules(state, JSON.stringify(pushed));
    const inForce = await gatewayRulesInForce(gatewayDir, shipped, state);
    expect(inForce.source).toBe("local KV");
    expect(inForce.rules).toEqual(pushed);
    expect(inForce.deleteCommand).toBe(`npx wrangler kv key delete rules --binding GATEWAY_RULES --local --persist-to ${state}`);

    putLocalRules(state, "{ not json");
    expect((await gatewayRulesInForce(gatewayDir, shipped, state)).source).toBe("invalid local KV");
  }, 60_000);
});
