import type { ServerConfig } from "../base/config.ts";
import type { AnyTokenVerifier } from "./token-verifiers.ts";

export interface HealthReport {
  readonly status: "ok" | "unavailable";
  readonly name: string;
  readonly version: string;
  readonly transport: "stateful" | "stateless";
  readonly auth:
    | { readonly disabled: true }
    | {
        readonly disabled: false;
        readonly mode: "auth0";
        readonly issuer: string;
        readonly jwks: { readonly state: string; readonly keyCount: number; readonly ageSeconds: number | undefined };
        /** Whether the last JWKS fetch attempt reached the authorization server. */
        readonly authorizationServerReachable: boolean;
      }
    | {
        readonly disabled: false;
        readonly mode: "facade";
        readonly issuer: string;
        /** Tokens are checked over the AUTH_SERVER service binding (nothing to warm). */
        readonly validatedBy: "service-binding";
        /** Whether the facade answered over the binding just now. */
        readonly authorizationServerReachable: boolean;
      };
}

/**
 * `GET /health` (no auth): can this server verify tokens right now? With Auth0 tokens: 200 when
 * signing keys are held (fresh, or stale while the authorization server is unreachable —
 * reported, with the keys' age), 503 when none are. With the facade: 200 when it answers over the
 * binding, 503 when it does not (a missing binding fails as a misconfiguration before this).
 */
export async function healthReport(
  identity: { name: string; version: string; transport: "stateful" | "stateless" },
  config: ServerConfig,
  verifier: AnyTokenVerifier | undefined,
): Promise<HealthReport> {
  const base = { name: identity.name, version: identity.version, transport: identity.transport };
  if (config.auth.disabled || verifier === undefined) return { status: "ok", ...base, auth: { disabled: true } };
  if (verifier.kind === "facade") {
    const reachable = await verifier.reachable();
    return {
      status: reachable ? "ok" : "unavailable",
      ...base,
      auth: { disabled: false, mode: "facade", issuer: verifier.issuer, validatedBy: "service-binding", authorizationServerReachable: reachable },
    };
  }
  const jwks = await verifier.warm();
  return {
    status: jwks.keyCount > 0 ? "ok" : "unavailable",
    ...base,
    auth: {
      disabled: false,
      mode: "auth0",
      issuer: verifier.issuer,
      jwks: { state: jwks.state, keyCount: jwks.keyCount, ageSeconds: jwks.ageSeconds },
      authorizationServerReachable: jwks.lastFailureAt === undefined && jwks.keyCount > 0,
    },
  };
}
