/** What `global-setup` provides to test projects (`inject("jwksUri")`, `inject("privateJwk")`). */
declare module "vitest" {
  export interface ProvidedContext {
    /** The loopback JWKS endpoint's URL: set `AUTH_JWKS_URI` to it. */
    jwksUri: string;
    /** The private signing key as a JWK JSON string, for `createTokenFactory`. */
    privateJwk: string;
  }
}
export {};
