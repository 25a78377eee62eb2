import type { ConsentDescription } from "@cloudflare/workers-oauth-provider";

/** Everything on the page that came from a client (name, domain, scopes) is escaped. */
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

export interface ConsentView {
  readonly details: ConsentDescription;
  readonly handle: string;
  /** The MCP server the client asks for (RFC 8707 resource). */
  readonly resource: string;
  /** Scopes the user may grant: those asked for that the facade knows. */
  readonly scopes: readonly string[];
}

/**
 * The consent page (MCP security best practices, "Confused Deputy Problem": per-client consent
 * before the redirect to Auth0). It shows who asks (a CIMD client's verified domain, or a
 * warning that a registered client's name is self-asserted), where tokens go (the redirect host,
 * with a warning for local apps), which server, and the scopes. The form carries only the
 * handle; the request itself stays server-side, bound to this browser by a cookie.
 */
export function renderConsentPage(view: ConsentView): string {
  const { details } = view;
  const name = escapeHtml(details.clientName);
  const origin = details.clientDomain
    ? `Published by <strong>${escapeHtml(details.clientDomain)}</strong>.`
    : "This app registered itself: its name is not verified.";
  const server = new URL(view.resource);
  const scopes = view.scopes
    .map((scope) => `<li><label><input type="checkbox" name="scope" value="${escapeHtml(scope)}" checked> ${escapeHtml(scope)}</label></li>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Allow ${name}?</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
.warn{background:#fff4e5;border-left:4px solid #f0a000;padding:.5rem .75rem}ul{list-style:none;padding:0}
button{font:inherit;padding:.5rem 1.25rem;margin-right:.5rem}</style></head>
<body>
<h1>Allow <span id="client-name">${name}</span> to use <span id="server">${escapeHtml(server.host)}</span>?</h1>
<p id="client-origin">${origin}</p>
<p>Access will be sent to <strong id="redirect-host">${escapeHtml(details.redirectHost)}</strong>.</p>
${details.redirectIsLoopback ? '<p class="warn" id="loopback-warning"><strong>This sends access to an app on your computer.</strong> Continue only if you just started signing in from it.</p>' : ""}
<form method="post" action="/authorize">
<input type="hidden" name="handle" value="${escapeHtml(view.handle)}">
<p>It asks for:</p><ul>${scopes || "<li>no specific permissions</li>"}</ul>
<p>You will sign in next; the app never sees your password or your sign-in tokens.</p>
<p><button name="decision" value="approve" id="approve">Continue to sign in</button><button name="decision" value="deny" id="deny">Deny</button></p>
</form>
</body></html>`;
}

/**
 * Headers of every page the facade renders (on top of the library's for the consent page):
 * nothing loads, nothing frames it, nothing caches it. `formAction` is where its form may post;
 * the consent page's posts here and the redirect after it goes to the sign-in service (CSP
 * `form-action` also governs the redirect a form submission follows); an error page has no form
 * and no styles.
 */
export function pageSecurityHeaders(headers: Headers, page: { formAction: string; inlineStyles: boolean }): Headers {
  headers.set("content-type", "text/html; charset=utf-8");
  headers.set(
    "content-security-policy",
    `default-src 'none'; ${page.inlineStyles ? "style-src 'unsafe-inline'; " : ""}form-action ${page.formAction}; frame-ancestors 'none'; base-uri 'none'`,
  );
  headers.set("x-frame-options", "DENY");
  // same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with the consent
  // form's POST (Fetch, "append a request Origin header"), and the facade checks that Origin.
  headers.set("referrer-policy", "same-origin");
  headers.set("x-content-type-options", "nosniff");
  headers.set("cache-control", "no-store");
  return headers;
}
