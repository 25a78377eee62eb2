/**
 * Builds `WWW-Authenticate: Bearer …` challenges (RFC 6750 §3, RFC 9728 §5.1).
 *
 * RFC 6750 §3 limits `error` and `error_description` to %x20-21 / %x23-5B / %x5D-7E and scope
 * tokens to %x21 / %x23-5B / %x5D-7E (no `"` or `\`), so those can never need escaping: codes
 * and scopes outside that set are a programming error (TypeError), and descriptions are
 * sanitised. Other values are quoted-strings (RFC 9110 §5.6.4) with `"` and `\` escaped.
 */
export interface BearerChallenge {
  realm?: string;
  /** RFC 6750 §3.1 error code; omit when the request carried no credentials. */
  error?: "invalid_request" | "invalid_token" | "insufficient_scope";
  errorDescription?: string;
  /** Scopes the client should request (401) or all scopes the operation needs (403). */
  scope?: readonly string[];
  /** RFC 9728 §5.1: where the client finds this resource's Protected Resource Metadata. */
  resourceMetadata?: string;
}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const CONTROL = /[\x00-\x1F\x7F]/;

export function buildWwwAuthenticate(challenge: BearerChallenge): string {
  const params: string[] = [];
  if (challenge.realm !== undefined) params.push(`realm=${quote(challenge.realm, "realm")}`);
  if (challenge.error !== undefined) params.push(`error="${challenge.error}"`);
  if (challenge.errorDescription !== undefined) {
    params.push(`error_description="${sanitizeDescription(challenge.errorDescription)}"`);
  }
  if (challenge.scope !== undefined && challenge.scope.length > 0) {
    for (const scope of challenge.scope) {
      if (!SCOPE_TOKEN.test(scope)) throw new TypeError(`buildWwwAuthenticate: "${scope}" is not a valid scope token (RFC 6749 §3.3)`);
    }
    params.push(`scope="${challenge.scope.join(" ")}"`);
  }
  if (challenge.resourceMetadata !== undefined) {
    params.push(`resource_metadata=${quote(challenge.resourceMetadata, "resourceMetadata")}`);
  }
  return params.length === 0 ? "Bearer" : `Bearer ${params.join(", ")}`;
}

function quote(value: string, option: string): string {
  if (CONTROL.test(value)) throw new TypeError(`buildWwwAuthenticate: option "${option}" contains a control character`);
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Keeps only what RFC 6750 §3 allows in `error_description`; everything else becomes "?" or "'". */
function sanitizeDescription(value: string): string {
  return value.replace(/"/g, "'").replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, "?");
}
