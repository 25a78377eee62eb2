import type { Change, Plan } from "./plan.ts";

const SYMBOL: Record<Change["action"], string> = { create: "+", update: "~", delete: "-", orphan: "?" };
const LABEL: Record<Change["type"], string> = { tenant: "tenant", connection: "connection", resource_server: "API", client: "application", cimd_client: "CIMD client", client_grant: "client grant" };
const fmt = (v: unknown) => (Array.isArray(v) ? `[${v.map((x) => (typeof x === "object" ? (x as { value?: string }).value ?? JSON.stringify(x) : String(x))).join(" ")}]` : JSON.stringify(v));

export function summarize(plan: Plan) {
  const count = (a: Change["action"]) => plan.changes.filter((c) => c.action === a).length;
  return { create: count("create"), update: count("update"), delete: count("delete"), orphaned: count("orphan") };
}

/** Terraform-like text: every change with field-level diffs, then a summary line. Never prints secrets. */
export function renderPlan(plan: Plan, heading: string): string {
  const lines = [heading, ""];
  if (plan.changes.length === 0) lines.push("  No changes. Auth0 matches the configuration.");
  for (const change of plan.changes) {
    const head = `  ${SYMBOL[change.action]} ${LABEL[change.type]} ${change.key}`;
    if (change.action === "update") {
      lines.push(head);
      for (const f of change.fields) lines.push(`      ~ ${f.field}: ${fmt(f.before)} → ${fmt(f.after)}`);
    } else if (change.action === "create") {
      const d = change.desired;
      const detail = change.type === "client_grant" ? `scope ${fmt(d.scope)}` : change.type === "resource_server" ? `scopes ${fmt(d.scopes)}` : change.type === "cimd_client" ? "registered from its metadata document" : `${String(d.app_type)}, ${fmt(d.grant_types)}`;
      lines.push(`${head}  (${detail})`);
    } else if (change.action === "orphan") {
      lines.push(`${head}  (owned by edge-mcp, no longer configured: deleted only with --allow-delete)`);
    } else {
      lines.push(head);
    }
  }
  for (const warning of plan.warnings) lines.push(`  ! ${warning}`);
  const s = summarize(plan);
  lines.push("", `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.orphaned} orphaned.`);
  return lines.join("\n");
}
