import { z } from "zod";

/** How long a discovery fetch may take, in milliseconds. */
const DISCOVERY_TIMEOUT_MS = 5_000;

const MetadataSchema = z.object({ issuer: z.string(), authorization_endpoint: z.url(), token_endpoint: z.url() });
export type AuthorizationServerEndpoints = z.output<typeof MetadataSchema>;

const known = new Map<string, Promise<AuthorizationServerEndpoints>>();

/**
 * The authorization server's endpoints from its OpenID discovery document, which must name the
 * same issuer (RFC 8414 §3.3: otherwise another server's metadata could be served). Cached per
 * isolate; a failed discovery is tried again next time.
 */
export function discoverAuthorizationServer(issuer: string, fetchImpl: typeof fetch = fetch): Promise<AuthorizationServerEndpoints> {
  let found = known.get(issuer);
  if (found === undefined) {
    found = (async () => {
      const res = await fetchImpl(`${issuer.endsWith("/") ? issuer : `${issuer}/`}.well-known/openid-configuration`, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
      const parsed = MetadataSchema.safeParse(res.ok ? await res.json() : {});
      if (!parsed.success || parsed.data.issuer !== issuer) throw new Error("the authorization server's metadata is missing or names another issuer");
      return parsed.data;
    })();
    found.catch(() => known.delete(issuer));
    known.set(issuer, found);
  }
  return found;
}
