import {
  createFacadeTokenVerifier,
  createTokenVerifier,
  kvJwksStore,
  type FacadeTokenValidator,
  type FacadeTokenVerifier,
  type KvLike,
  type TokenVerifier,
} from "@edge-mcp/auth";
import type { ServerConfig } from "../base/config.ts";
import { MisconfiguredError } from "../base/errors.ts";

/** The service binding to the edge OAuth facade (`workers/oauth`), in `AUTH_MODE=facade`. */
export const FACADE_BINDING = "AUTH_SERVER";

export type AnyTokenVerifier = TokenVerifier | FacadeTokenVerifier;

/**
 * One token verifier per config (i.e. per isolate): Auth0 JWTs against the issuer's JWKS, or the
 * facade's opaque tokens over its service binding. Created on first use because the bindings
 * come with the first request's env.
 */
export function tokenVerifiers(jwksKvBinding: string | undefined): (config: ServerConfig, env: object) => AnyTokenVerifier | undefined {
  const verifiers = new WeakMap<ServerConfig, AnyTokenVerifier>();
  return (config, env) => {
    if (config.auth.disabled) return undefined;
    const known = verifiers.get(config);
    if (known !== undefined) return known;
    const bindings = env as Record<string, unknown>;
    let verifier: AnyTokenVerifier;
    if (config.auth.mode === "facade") {
      const binding = bindings[FACADE_BINDING] as FacadeTokenValidator | undefined;
      if (binding === undefined || binding === null || typeof binding.validateToken !== "function") {
        throw new MisconfiguredError(`Server misconfigured: AUTH_MODE=facade needs the ${FACADE_BINDING} service binding to the OAuth facade worker.`);
      }
      verifier = createFacadeTokenVerifier({
        issuer: config.auth.issuer,
        resource: config.resource,
        validator: binding,
        ...(config.auth.cacheSeconds === undefined ? {} : { cacheSeconds: config.auth.cacheSeconds }),
      });
    } else {
      const kv = jwksKvBinding === undefined ? undefined : bindings[jwksKvBinding];
      verifier = createTokenVerifier({
        issuer: config.auth.issuer,
        audiences: [...config.auth.audiences],
        ...(config.auth.jwksUri === undefined ? {} : { jwksUri: config.auth.jwksUri }),
        ...(kv === undefined ? {} : { store: kvJwksStore(kv as KvLike) }),
      });
    }
    verifiers.set(config, verifier);
    return verifier;
  };
}
