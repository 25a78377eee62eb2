/** The one-click development login + consent page. No passwords: this is local development. */

const escape = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export interface ConsentView {
  uid: string;
  clientName: string;
  userName: string;
  userSub: string;
  resources: ReadonlyArray<{ identifier: string; scopes: readonly string[] }>;
}

export function renderConsentPage(view: ConsentView): string {
  const resources = view.resources
    .map((r) => `<li><code>${escape(r.identifier)}</code>: ${r.scopes.map((s) => `<code>${escape(s)}</code>`).join(" ") || "(no scopes)"}</li>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>edge-mcp dev login</title>
<style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}button{font-size:1rem;padding:.6rem 1.2rem}code{background:#f3f3f3;padding:0 .2rem}</style>
</head><body>
<h1>edge-mcp local sign-in</h1>
<p><strong>${escape(view.clientName)}</strong> wants to act as <strong>${escape(view.userName)}</strong> (<code>${escape(view.userSub)}</code>) with:</p>
<ul>${resources}</ul>
<form method="post" action="/interaction/${escape(view.uid)}/confirm">
  <button type="submit" name="decision" value="approve">Sign in and allow</button>
  <button type="submit" name="decision" value="deny">Deny</button>
</form>
<p><small>Local development authorization server — not for production.</small></p>
</body></html>`;
}
