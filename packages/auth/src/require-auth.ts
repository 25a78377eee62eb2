import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import type { AuthContext } from "./auth-context.ts";
import { authErrorResponse } from "./auth-error-response.ts";
import { isAuthFailure } from "./errors.ts";
import { extractBearerToken } from "./extract-bearer-token.ts";
import { optionError } from "./option-error.ts";
import { requireScopes } from "./scopes.ts";
import { SecureUrlSchema } from "./secure-url.ts";
import type { TokenVerifier } from "./verify-access-token.ts";

/** Hono env for routes behind `requireAuth`: `c.var.auth` is the verified caller. */
export interface AuthEnv {
  Variables: { auth: AuthContext };
}

const OptionsSchema = z.object({
  verifier: z.custom<TokenVerifier>((v) => typeof v === "object" && v !== null && typeof (v as TokenVerifier).verify === "function", "must be a TokenVerifier from createTokenVerifier"),
  resourceMetadataUrl: SecureUrlSchema,
  requiredScopes: z.array(z.string().min(1)).optional(),
  challengeScopes: z.array(z.string().min(1)).optional(),
  realm: z.string().optional(),
});

export type RequireAuthOptions = z.input<typeof OptionsSchema>;

/**
 * Verifies the bearer token on every request, sets `c.var.auth`, and answers every auth
 * failure in one place (`authErrorResponse`). `requiredScopes` are checked after verification
 * (403 step-up); `challengeScopes` are what a 401 tells clients to request (default: the
 * required scopes).
 */
export function requireAuth(options: RequireAuthOptions): MiddlewareHandler<AuthEnv> {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw optionError("requireAuth", parsed.error);
  const { verifier, resourceMetadataUrl, realm } = parsed.data;
  const requiredScopes = Object.freeze([...(parsed.data.requiredScopes ?? [])]);
  const challenge = {
    resourceMetadataUrl,
    scopes: Object.freeze([...(parsed.data.challengeScopes ?? requiredScopes)]),
    ...(realm === undefined ? {} : { realm }),
  };
  return createMiddleware<AuthEnv>(async (c, next) => {
    let auth: AuthContext;
    try {
      const token = await extractBearerToken(c.req.raw);
      auth = await verifier.verify(token);
      if (requiredScopes.length > 0) requireScopes(auth, requiredScopes);
    } catch (error) {
      if (isAuthFailure(error)) return authErrorResponse(error, challenge);
      throw error;
    }
    c.set("auth", auth);
    await next();
  });
}
