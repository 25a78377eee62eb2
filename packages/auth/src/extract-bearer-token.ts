import { AUTH_DEFAULTS } from "./defaults.ts";
import { readBoundedText } from "./bounded-body.ts";
import { InvalidRequestError, MissingTokenError } from "./errors.ts";

/**
 * RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token`, where
 * `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
 * The auth-scheme is case-insensitive (RFC 9110 §11.1).
 *
 * One character more is accepted inside the token: `:`. The edge OAuth facade's tokens
 * (`@cloudflare/workers-oauth-provider`) are `userId:grantId:secret`; every MCP client sends them
 * as they are, and refusing them would make the facade unusable. Nothing else is widened: no
 * space, quote, comma or control character can reach a verifier.
 */
const BEARER_CREDENTIALS = /^Bearer +([A-Za-z0-9\-._~+/:]+=*)$/i;
/** Any other well-formed scheme (RFC 9110 §11.4 token68 form), e.g. `Basic …`. */
const OTHER_SCHEME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+ +[A-Za-z0-9\-._~+/]+=*$/;

export interface ExtractBearerOptions {
  /** Largest header value accepted, in bytes. Default `AUTH_DEFAULTS.maxTokenBytes`. */
  maxBytes?: number;
  /** Largest form body inspected before authentication, in bytes. Default `AUTH_DEFAULTS.maxFormBodyBytes`. */
  maxFormBodyBytes?: number;
}

/**
 * Reads the bearer token from the `Authorization` header, the only method edge-mcp accepts
 * (MCP authorization: "MUST NOT include access tokens in the URI query string").
 *
 * - no credentials at all → `MissingTokenError` (401 without an `error` attribute);
 * - a token in the query string or a form body, two `Authorization` headers (joined with
 *   ", " by the Fetch API), a malformed or oversized header → `InvalidRequestError` (400);
 * - a well-formed header of another scheme (`Basic …`) carries no bearer credentials → missing.
 *
 * Async only because a form-encoded body has to be read to see whether it smuggles an
 * `access_token` (RFC 6750 §2.2); other requests never have their body touched.
 */
export async function extractBearerToken(
  request: Request,
  options: ExtractBearerOptions = {},
): Promise<string> {
  const maxBytes = options.maxBytes ?? AUTH_DEFAULTS.maxTokenBytes;
  const url = new URL(request.url);
  if (url.searchParams.has("access_token")) {
    throw new InvalidRequestError("Access tokens are not accepted in the query string; send them in the Authorization header.");
  }
  if (await formBodyHasAccessToken(request, options.maxFormBodyBytes ?? AUTH_DEFAULTS.maxFormBodyBytes)) {
    throw new InvalidRequestError("Access tokens are not accepted in the request body; send them in the Authorization header.");
  }
  const header = request.headers.get("authorization");
  if (header === null || header === "") throw new MissingTokenError();
  // Header values are ISO-8859-1 in the Fetch API, so length in code units is length in bytes.
  if (header.length > maxBytes) {
    throw new InvalidRequestError(`The Authorization header is larger than ${maxBytes} bytes.`);
  }
  const match = BEARER_CREDENTIALS.exec(header);
  if (match?.[1] !== undefined) return match[1];
  if (OTHER_SCHEME.test(header) && !/^bearer /i.test(header)) throw new MissingTokenError("No bearer token was sent.");
  throw new InvalidRequestError("The Authorization header is malformed; expected `Bearer <token>`.");
}

/** Whether a form body (read from a clone, bounded: the handler may still need it) carries an access token. */
async function formBodyHasAccessToken(request: Request, maxBytes: number): Promise<boolean> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/x-www-form-urlencoded\b/i.test(type) || request.body === null) return false;
  const tooLarge = () => new InvalidRequestError(`The request body is larger than the ${maxBytes} bytes accepted before authentication.`);
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes) throw tooLarge();
  return new URLSearchParams(await readBoundedText(request.clone(), maxBytes, tooLarge)).has("access_token");
}
