/**
 * The audit line's schema (docs/audit.md): every console line names its schema and version first,
 * and the documented fields are the ones written — so a SIEM parser written against the page holds.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { AUDIT_SCHEMA, consoleAuditSink, type AuditEvent } from "../src/index.ts";

const docs = import.meta.glob("../../../docs/audit.md", { query: "?raw", import: "default", eager: true }) as Record<string, string>;
const page = Object.values(docs)[0] ?? "";

const requestLine: AuditEvent = {
  type: "mcp_request", time: "2026-12-07T00:00:00.000Z", server: "notes", era: "modern", protocolVersion: "2026-07-28", httpMethod: "POST",
  methods: ["tools/call"], tools: ["add_note"], subject: "auth0|alice", clientId: "claude", scopes: ["tools.read"], outcome: "ok", status: 200,
  latencyMs: 12, sessionIdHash: null, via: "gateway", backend: "notes", traceId: "4bf92f3577b34da6a3ce929d0e0e4736", refusal: "rule", rpcCode: -32602,
};
const toolLine: AuditEvent = {
  type: "tool_call", time: "2026-12-07T00:00:00.000Z", server: "notes", era: "modern", tool: "add_note", subject: "auth0|alice", clientId: "claude", scopes: ["tools.read"],
  outcome: "ok", latencyMs: 3, sessionIdHash: null, backend: "notes", traceId: "4bf92f3577b34da6a3ce929d0e0e4736", arguments: { text: "opted in" },
};
const backendLine: AuditEvent = { type: "backend_status", time: "2026-12-07T00:00:00.000Z", server: "gateway", backend: "hello", status: "timeout", detail: null };

afterEach(() => vi.restoreAllMocks());

describe("the audit line's schema", () => {
  it("writes the schema and its version first on every console line", () => {
    const logged = vi.spyOn(console, "log").mockImplementation(() => undefined);
    consoleAuditSink.write(requestLine);
    const line = String(logged.mock.calls[0]![0]);
    expect(AUDIT_SCHEMA).toBe("edge-mcp.audit/1");
    expect(line.startsWith(`{"schema":"${AUDIT_SCHEMA}",`)).toBe(true);
    expect(JSON.parse(line)).toEqual({ schema: AUDIT_SCHEMA, ...requestLine });
  });

  it.each([requestLine, toolLine, backendLine])("documents every field of a $type line in docs/audit.md", (line) => {
    expect(page).toContain(`\`${AUDIT_SCHEMA}\``);
    for (const field of Object.keys(line)) expect(page, `${line.type}.${field}`).toContain(`| \`${field}\``);
  });
});
