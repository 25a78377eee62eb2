/** The one-click development login + consent page. No passwords: this is local development. */

const escape = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export interface ConsentView {
  uid: string;
  clientName: string;
  /** The dev users to sign in as; the first is selected. */
  users: ReadonlyArray<{ sub: string; name: string }>;
  resources: ReadonlyArray<{ identifier: string; scopes: readonly string[] }>;
}

export function renderConsentPage(view: ConsentView): string {
  const resources = view.resources
    .map((r) => `<li><code>${escape(r.identifier)}</code>: ${r.scopes.map((s) => `<code>${escape(s)}</code>`).join(" ") || "(no scopes)"}</li>`)
    .join("");
  const users = view.users
    .map((u, i) => `<label><input type="radio" name="user" value="${escape(u.sub)}"${i === 0 ? " checked" : ""}> ${escape(u.name)} (<code>${escape(u.sub)}</code>)</label><br>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>edge-mcp dev login</title>
<style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}button{font-size:1rem;padding:.6rem 1.2rem}fieldset{margin:1rem 0;line-height:1.8}code{background:#f3f3f3;padding:0 .2rem}</style>
</head><body>
<h1>edge-mcp local sign-in</h1>
<form method="post" action="/interaction/${escape(view.uid)}/confirm">
<p><strong>${escape(view.clientName)}</strong> wants to act as you with:</p>
<ul>${resources}</ul>
<fieldset><legend>Sign in as</legend>
${users}
</fieldset>
  <button type="submit" name="decision" value="approve">Sign in and allow</button>
  <button type="submit" name="decision" value="deny">Deny</button>
</form>
<p><small>Local development authorization server — not for production.</small></p>
</body></html>`;
}

/** An authorization error the user's browser shows (no redirect was possible: a bad client or redirect URI). */
export function renderErrorPage(error: string, description: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>edge-mcp dev sign-in: ${escape(error)}</title></head><body>
<h1>Sign-in failed: <code>${escape(error)}</code></h1>
<p>${escape(description)}</p>
<p>Start the sign-in again from your MCP client.</p>
</body></html>`;
}
