import type { JWTPayload } from "jose";

/** What a verified access token says about the caller. Never contains the token itself. */
export interface AuthContext {
  /** `sub`: the user, or `<client_id>@clients` for Auth0 machine-to-machine tokens. */
  readonly subject: string;
  /** `azp` (Auth0) or `client_id` (RFC 9068 §2.2): the OAuth client acting for the subject. */
  readonly clientId: string;
  /** Union of the `scope` string and Auth0's `permissions` array, de-duplicated. */
  readonly scopes: readonly string[];
  /** `exp`, in seconds since the Unix epoch. */
  readonly expiresAt: number;
  /** Every verified claim, frozen. */
  readonly claims: Readonly<JWTPayload>;
}
