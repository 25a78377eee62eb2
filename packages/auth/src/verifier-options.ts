import { z } from "zod";
import { AUTH_DEFAULTS } from "./defaults.ts";
import { optionError } from "./option-error.ts";
import { SecureUrlSchema } from "./secure-url.ts";
import type { FetchLike } from "./jwks-fetch.ts";
import type { JwksStore } from "./jwks-store.ts";

/** Asymmetric JWS algorithms only: a shared-secret (HS*) or `none` verifier is never wanted here. */
export const ASYMMETRIC_ALGORITHMS = [
  "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519",
] as const;

const NonNegativeInt = z.number().int().nonnegative();

const OptionsSchema = z.object({
  issuer: SecureUrlSchema,
  audiences: z.array(z.string().min(1)).min(1, "must name at least one audience"),
  jwksUri: SecureUrlSchema.optional(),
  algorithms: z.array(z.enum(ASYMMETRIC_ALGORITHMS)).min(1).optional(),
  clockToleranceSeconds: NonNegativeInt.optional(),
  jwksTimeoutMs: NonNegativeInt.optional(),
  jwksCooldownMs: NonNegativeInt.optional(),
  jwksCacheMaxAgeMs: NonNegativeInt.optional(),
  jwksStoreTtlSeconds: NonNegativeInt.optional(),
  jwksFailureBackoffMs: NonNegativeInt.optional(),
  verifiedTokenCacheSize: NonNegativeInt.optional(),
  maxTokenBytes: NonNegativeInt.positive().optional(),
  store: z.custom<JwksStore | null>(
    (v) => v === null || (typeof v === "object" && typeof (v as JwksStore).read === "function" && typeof (v as JwksStore).write === "function"),
    "must be a JwksStore ({ read, write }) or null",
  ).optional(),
  fetch: z.custom<FetchLike>((v) => typeof v === "function", "must be a function").optional(),
});

/** Options of `createTokenVerifier`. Durations carry their unit in the name. */
export type TokenVerifierOptions = z.input<typeof OptionsSchema>;

export interface ResolvedVerifierOptions {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly jwksUri: string;
  readonly algorithms: readonly string[];
  readonly clockToleranceSeconds: number;
  readonly jwksTimeoutMs: number;
  readonly jwksCooldownMs: number;
  readonly jwksCacheMaxAgeMs: number;
  readonly jwksStoreTtlSeconds: number;
  readonly jwksFailureBackoffMs: number;
  readonly verifiedTokenCacheSize: number;
  readonly maxTokenBytes: number;
  /** `undefined` = choose the default (Cache API when present); `null` = no shared store. */
  readonly store: JwksStore | null | undefined;
  readonly fetch: FetchLike | undefined;
}

/** Validates once, at construction; throws a TypeError naming the bad option. Copies, never mutates. */
export function resolveVerifierOptions(options: TokenVerifierOptions): ResolvedVerifierOptions {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw optionError("createTokenVerifier", parsed.error);
  const o = parsed.data;
  const issuerBase = o.issuer.endsWith("/") ? o.issuer : `${o.issuer}/`;
  return Object.freeze({
    issuer: o.issuer,
    audiences: Object.freeze([...o.audiences]),
    jwksUri: o.jwksUri ?? `${issuerBase}.well-known/jwks.json`,
    algorithms: Object.freeze([...(o.algorithms ?? AUTH_DEFAULTS.algorithms)]),
    clockToleranceSeconds: o.clockToleranceSeconds ?? AUTH_DEFAULTS.clockToleranceSeconds,
    jwksTimeoutMs: o.jwksTimeoutMs ?? AUTH_DEFAULTS.jwksTimeoutMs,
    jwksCooldownMs: o.jwksCooldownMs ?? AUTH_DEFAULTS.jwksCooldownMs,
    jwksCacheMaxAgeMs: o.jwksCacheMaxAgeMs ?? AUTH_DEFAULTS.jwksCacheMaxAgeMs,
    jwksStoreTtlSeconds: o.jwksStoreTtlSeconds ?? AUTH_DEFAULTS.jwksStoreTtlSeconds,
    jwksFailureBackoffMs: o.jwksFailureBackoffMs ?? AUTH_DEFAULTS.jwksFailureBackoffMs,
    verifiedTokenCacheSize: o.verifiedTokenCacheSize ?? AUTH_DEFAULTS.verifiedTokenCacheSize,
    maxTokenBytes: o.maxTokenBytes ?? AUTH_DEFAULTS.maxTokenBytes,
    store: o.store,
    fetch: o.fetch,
  });
}
