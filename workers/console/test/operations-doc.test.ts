/**
 * docs/operations.md lists the SQL the console sends to Analytics Engine, for operators' own
 * queries: the page must show exactly what the code sends (for its example window).
 */
import { METRIC_COLUMNS, METRICS_SCHEMA } from "@edge-mcp/server";
import { describe, expect, it } from "vitest";
import { denialsSql, recentSql, seriesSql, toolsSql } from "../src/metric-queries.ts";

const docs = import.meta.glob("../../../docs/operations.md", { query: "?raw", import: "default", eager: true }) as Record<string, string>;
const page = Object.values(docs)[0] ?? "";
const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const hour = { sinceMs: NOW - 3_600_000, bucketMs: 300_000 };

describe("docs/operations.md", () => {
  it.each([
    ["calls over time", seriesSql("edge_mcp_calls", hour, NOW)],
    ["per tool", toolsSql("edge_mcp_calls", hour, NOW)],
    ["denials by cause", denialsSql("edge_mcp_calls", hour, NOW)],
    ["recent calls", recentSql("edge_mcp_calls", { sinceMs: NOW - 86_400_000, limit: 50, tool: "echo" }, NOW)],
  ])("shows the %s query exactly as the console sends it", (_name, sql) => {
    expect(page).toContain(`\`\`\`sql\n${sql}\n\`\`\``);
  });

  it("documents every column of the metric point layout, and its version", () => {
    expect(page).toContain(`| \`blob1\` | \`${METRICS_SCHEMA}\` |`);
    const columns = [...METRIC_COLUMNS.blobs.map((_, i) => `blob${i + 1}`), ...METRIC_COLUMNS.doubles.map((_, i) => `double${i + 1}`), "index1"];
    for (const column of columns) expect(page, column).toContain(`| \`${column}\` |`);
    expect(page).not.toContain("| `blob10` |");
  });
});
