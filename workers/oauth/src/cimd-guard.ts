import { FacadeError } from "./errors.ts";

/**
 * SSRF guard for Client ID Metadata Documents, before the library fetches one
 * (draft-ietf-oauth-client-id-metadata-document §6 "Security Considerations": the authorization
 * server fetches a URL an unauthenticated party chose). In production the
 * `global_fetch_strictly_public` flag sends the fetch to the public internet only, which also
 * covers names that resolve to private addresses; it does nothing in local workerd (measured), so
 * what can be decided from the URL alone is refused here, in every environment:
 * - a scheme other than https (the library would not treat it as CIMD; refused here explicitly),
 * - IP literals in loopback, private, link-local, CGNAT, benchmarking (198.18.0.0/15), IETF
 *   protocol (192.0.0.0/24), documentation, unique-local or unspecified ranges,
 * - `localhost` and names under `.localhost`, `.local`, `.internal`, `.home.arpa` — a fully
 *   qualified name's trailing dot (`localhost.`, `metadata.google.internal.`) is dropped first,
 * - userinfo, and ports other than 443 (a document on an odd port is a probe, not a client).
 * `allowLoopback` (dev and tests only) lets `localhost` / 127.0.0.1 on any port through.
 */
export function checkClientIdUrl(clientId: string, allowLoopback: boolean): void {
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return; // not a URL: a registered client id, the library looks it up in KV
  }
  if (url.protocol !== "https:") {
    if (url.protocol === "http:") refuse("a client ID metadata document must be served over https");
    return;
  }
  if (url.username !== "" || url.password !== "") refuse("a client ID URL must not carry userinfo");
  // `localhost.` is `localhost`: the trailing dot of a fully qualified name changes nothing it resolves to.
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.+$/, "");
  if (allowLoopback && isLoopback(host)) return;
  if (isLoopback(host) || isPrivateName(host) || isPrivateIpv4(host) || isPrivateIpv6(host)) {
    refuse("a client ID URL must name a public host");
  }
  if (url.port !== "" && url.port !== "443") refuse("a client ID URL must use the default https port");
}

function refuse(reason: string): never {
  throw new FacadeError("client_id_refused", `This client cannot be used: ${reason}.`);
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function isPrivateName(host: string): boolean {
  return ["local", "internal", "home.arpa", "lan", "intranet"].some((suffix) => host === suffix || host.endsWith(`.${suffix}`)) || !host.includes(".");
}

function isPrivateIpv4(host: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (m === null) return false;
  const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // RFC 6890's special-purpose ranges that are not globally reachable, and multicast / reserved (224+).
  return (
    a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224 ||
    (a === 198 && (b === 18 || b === 19)) || // benchmarking, RFC 2544
    (a === 192 && b === 0 && (c === 0 || c === 2)) || // IETF protocol assignments; TEST-NET-1
    (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113) || // TEST-NET-2, -3
    (a === 192 && b === 88 && c === 99) // 6to4 relay anycast (deprecated)
  );
}

function isPrivateIpv6(host: string): boolean {
  if (!host.includes(":")) return false;
  // Every IPv6 literal is refused but global unicast (2000::/3) that does not embed IPv4.
  if (host.startsWith("::ffff:") || host.startsWith("64:ff9b:")) return true;
  return !/^[23][0-9a-f]{0,3}:/.test(host);
}
