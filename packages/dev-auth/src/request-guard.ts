/**
 * What keeps a web page from driving the local authorization server (DNS rebinding, framing,
 * cross-site form posts): it answers only to loopback names on its own port, its pages refuse
 * to be framed, and the consent form is accepted only from its own origin.
 */

/**
 * Clickjacking: the sign-in page must never be framed (CSP Level 2 + the legacy header). Its URL
 * never leaves for another origin in a Referer (`same-origin`), while its own form post still
 * carries the `Origin` the consent check needs: under `no-referrer` a browser sends `Origin: null`
 * with a form POST (Fetch, "append a request `Origin` header"), which a real Chromium showed.
 */
export const PAGE_SECURITY_HEADERS = Object.freeze({
  "content-security-policy": "frame-ancestors 'none'",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
});

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

/** `Host` must be a loopback name with this server's port. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  return LOOPBACK_NAMES.some((name) => host.toLowerCase() === `${name}:${port}`);
}

/** `Origin` must be this server's origin under one of its loopback names. */
export function sameOrigin(origin: string | undefined, issuer: string, port: number): boolean {
  if (origin === undefined) return false;
  const scheme = new URL(issuer).protocol;
  return LOOPBACK_NAMES.some((name) => origin.toLowerCase() === `${scheme}//${name}:${port}`);
}
