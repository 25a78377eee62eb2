import { errors } from "jose";
import { InvalidTokenError, type InvalidTokenReason } from "./errors.ts";

/**
 * Turns a jose verification error into an `InvalidTokenError` by its stable `code` (and, for
 * claim failures, its `claim`), never by message text. Returns undefined for anything that is
 * not a token problem, so the caller can rethrow it.
 */
export function mapJoseError(error: unknown): InvalidTokenError | undefined {
  if (!(error instanceof errors.JOSEError)) return undefined;
  const reason = reasonFor(error);
  return reason === undefined ? undefined : new InvalidTokenError(reason, describe(reason), { cause: error });
}

function reasonFor(error: errors.JOSEError): InvalidTokenReason | undefined {
  switch (error.code) {
    case "ERR_JWT_EXPIRED":
      return "expired";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      return claimReason((error as errors.JWTClaimValidationFailed).claim);
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return "bad_signature";
    case "ERR_JWKS_NO_MATCHING_KEY":
    case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
      return "unknown_key";
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return "unsupported_alg";
    // The allow-list is checked before anything else can be unsupported, so what is left is a
    // header demanding what we do not implement: an unknown `crit` extension (RFC 7515 §4.1.11).
    case "ERR_JOSE_NOT_SUPPORTED":
    case "ERR_JWS_INVALID":
    case "ERR_JWT_INVALID":
      return "malformed";
    default:
      return undefined;
  }
}

function claimReason(claim: string): InvalidTokenReason {
  switch (claim) {
    case "iss":
      return "wrong_issuer";
    case "aud":
      return "wrong_audience";
    case "nbf":
      return "not_yet_valid";
    default:
      return "invalid_claims";
  }
}

const DESCRIPTIONS: Record<InvalidTokenReason, string> = {
  expired: "The access token has expired.",
  not_yet_valid: "The access token is not valid yet.",
  bad_signature: "The access token's signature does not verify.",
  wrong_issuer: "The access token was not issued by the expected authorization server.",
  wrong_audience: "The access token was not issued for this resource.",
  unsupported_alg: "The access token's signing algorithm is not accepted.",
  unknown_key: "The access token was signed with an unknown key.",
  malformed: "The access token is malformed.",
  inactive: "The access token is not active for this resource.",
  invalid_claims: "The access token's claims are invalid.",
};

export function describe(reason: InvalidTokenReason): string {
  return DESCRIPTIONS[reason];
}
