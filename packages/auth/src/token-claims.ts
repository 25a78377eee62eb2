import type { JWTPayload } from "jose";
import { z } from "zod";
import type { AuthContext } from "./auth-context.ts";
import { InvalidTokenError } from "./errors.ts";
import { resourceScopes } from "./scopes.ts";

/**
 * The claims edge-mcp relies on, after jose has checked signature, `iss`, `aud`, `exp` and
 * `nbf`. Shapes follow RFC 9068 §2.2 and Auth0's `access_token_authz` /
 * `rfc9068_profile_authz` dialects (`permissions` array; `azp` or `client_id`).
 */
const ClaimsSchema = z.object({
  sub: z.string().min(1),
  exp: z.number().finite(),
  azp: z.string().min(1).optional(),
  client_id: z.string().min(1).optional(),
  scope: z.string().optional(),
  permissions: z.array(z.string()).optional(),
});

export function authContextFromClaims(payload: JWTPayload): AuthContext {
  const parsed = ClaimsSchema.safeParse(payload);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? "?")))];
    throw new InvalidTokenError("invalid_claims", `The token's claims are invalid: ${fields.join(", ")}.`);
  }
  const { sub, exp, azp, client_id: rfcClientId, scope, permissions } = parsed.data;
  if (azp !== undefined && rfcClientId !== undefined && azp !== rfcClientId) {
    throw new InvalidTokenError("invalid_claims", "The token's azp and client_id claims disagree.");
  }
  const clientId = azp ?? rfcClientId;
  if (clientId === undefined) {
    throw new InvalidTokenError("invalid_claims", "The token names no client (azp or client_id).");
  }
  return Object.freeze({
    subject: sub,
    clientId,
    scopes: resourceScopes([...(scope?.split(" ") ?? []), ...(permissions ?? [])]),
    expiresAt: exp,
    claims: Object.freeze({ ...payload }),
  });
}
