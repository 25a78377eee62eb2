import type { TokenVerifier } from "@edge-mcp/auth";
import type { ServerConfig } from "./config.ts";

export interface HealthReport {
  readonly status: "ok" | "unavailable";
  readonly name: string;
  readonly version: string;
  readonly transport: "stateful" | "stateless";
  readonly auth:
    | { readonly disabled: true }
    | {
        readonly disabled: false;
        readonly issuer: string;
        readonly jwks: { readonly state: string; readonly keyCount: number; readonly ageSeconds: number | undefined };
        /** Whether the last JWKS fetch attempt reached the authorization server. */
        readonly authorizationServerReachable: boolean;
      };
}

/**
 * `GET /health` (no auth): can this server verify tokens right now? 200 when signing keys are
 * held (fresh, or stale while the authorization server is unreachable — reported, with the
 * keys' age), 503 when none are.
 */
export async function healthReport(
  identity: { name: string; version: string; transport: "stateful" | "stateless" },
  config: ServerConfig,
  verifier: TokenVerifier | undefined,
): Promise<HealthReport> {
  const base = { name: identity.name, version: identity.version, transport: identity.transport };
  if (config.auth.disabled || verifier === undefined) return { status: "ok", ...base, auth: { disabled: true } };
  const jwks = await verifier.warm();
  return {
    status: jwks.keyCount > 0 ? "ok" : "unavailable",
    ...base,
    auth: {
      disabled: false,
      issuer: config.auth.issuer,
      jwks: { state: jwks.state, keyCount: jwks.keyCount, ageSeconds: jwks.ageSeconds },
      authorizationServerReachable: jwks.lastFailureAt === undefined && jwks.keyCount > 0,
    },
  };
}
