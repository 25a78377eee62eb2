import { env, exports } from "cloudflare:workers";
import { abuseCorpus, createTokenFactory } from "@edge-mcp/testing";
import { describe, expect, inject, it } from "vitest";
import { operatorHealth } from "./helpers/rules-in-force.ts";

const RESOURCE = "https://gateway-mcp.example.test/mcp";
const token = createTokenFactory(inject("privateJwk"), { issuer: "https://tenant.example-auth.test/", audience: RESOURCE });
const send = (request: Request) => exports.default.fetch(request);
const INITIALIZE = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "abuse", version: "1" } } };

describe("gateway worker", () => {
  it("answers every request of the abuse corpus precisely and keeps serving", { timeout: 60_000 }, async () => {
    const cases = (await abuseCorpus({ resource: RESOURCE, token, initialize: INITIALIZE })).filter((c) => !c.stateful);
    expect(cases.length).toBeGreaterThanOrEqual(45);
    const wrong: string[] = [];
    for (const c of cases) {
      const res = await send(await c.build());
      if (res.status !== c.status) wrong.push(`${c.name}: ${res.status} (expected ${c.status})`);
      const body = await res.text();
      if (res.status === 401 && !(res.headers.get("www-authenticate") ?? "").includes("resource_metadata=")) wrong.push(`${c.name}: 401 without resource_metadata`);
      if (body.toLowerCase().includes("eyj")) wrong.push(`${c.name}: echoed something token-like`);
    }
    expect(wrong).toEqual([]);
    const healthy = await send(new Request(RESOURCE, { method: "POST", headers: { authorization: `Bearer ${await token()}`, "content-type": "application/json", accept: "application/json, text/event-stream" }, body: JSON.stringify(INITIALIZE) }));
    expect(healthy.status).toBe(200);
    await healthy.body?.cancel();
  });

  it("reports each backend in /health to an operator; backends it cannot reach are not ok", async () => {
    void env;
    const res = await send(await operatorHealth());
    const report = (await res.json()) as { backends: Record<string, { status: string }> };
    expect(Object.keys(report.backends).sort()).toEqual(["conformance", "docs", "hello", "live-monitor", "notes", "people", "wiki"]); // the shipped four and the test build's three remotes
  });

  it("tells an anonymous caller only the overall status: no backends, no tool counts, no rules (issue 26 §5)", async () => {
    const res = await send(new Request("https://gateway-mcp.example.test/health"));
    expect([200, 503]).toContain(res.status);
    const report = (await res.json()) as Record<string, unknown>;
    expect(report).toMatchObject({ status: expect.any(String), name: "gateway" });
    expect(report).not.toHaveProperty("backends");
    expect(report).not.toHaveProperty("rules");
    expect(JSON.stringify(report)).not.toContain("notes");
  });

  it("refuses the detail to a token without the operator scope (403 step-up naming it, RFC 6750 §3.1) and to a bad token (401)", async () => {
    const reader = await send(new Request("https://gateway-mcp.example.test/health", { headers: { authorization: `Bearer ${await token({ scopes: ["tools.read", "tools.write"] })}` } }));
    expect(reader.status).toBe(403);
    expect(reader.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect(reader.headers.get("www-authenticate")).toContain('scope="fleet.read"');
    expect(JSON.stringify(await reader.json())).not.toContain("backends");
    const forged = await send(new Request("https://gateway-mcp.example.test/health", { headers: { authorization: "Bearer not-a-token" } }));
    expect(forged.status).toBe(401);
    expect(forged.headers.get("www-authenticate")).toContain("resource_metadata=");
  });
});

describe("/health of a misconfigured gateway", () => {
  it("says why a backend is misconfigured: the missing binding, and how it is fixed", async () => {
    const { default: worker } = await import("../src/index.ts");
    const { NOTES: _notes, ...withoutNotes } = env as unknown as Record<string, unknown>;
    const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
    const res = await worker.fetch(await operatorHealth(), withoutNotes, ctx);
    const report = (await res.json()) as { backends: Record<string, { status: string; detail?: string }> };
    expect(report.backends.notes).toMatchObject({ status: "misconfigured", detail: expect.stringContaining("no service binding NOTES (to notes-mcp, entrypoint McpBackend)") });
    expect(report.backends.hello?.status).not.toBe("misconfigured");
  });
});
