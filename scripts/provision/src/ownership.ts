import type { Ecosystem } from "@edge-mcp/config";

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Auth0 APIs carry no metadata, so ownership comes from the identifier: an API is edge-mcp's
 * when its identifier is `https://<hostPattern with any slug>/mcp` (or its trailing-slash twin)
 * on this base domain.
 */
export function identifierOwnership(ecosystem: Ecosystem, baseDomain: string): (identifier: string) => boolean {
  const host = escape(ecosystem.hostPattern)
    .replaceAll(escape("{slug}"), "[a-z][a-z0-9-]{0,39}")
    .replaceAll(escape("{base_domain}"), escape(baseDomain));
  const pattern = new RegExp(`^https://${host}/mcp/?$`);
  return (identifier) => pattern.test(identifier);
}
