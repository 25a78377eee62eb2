import { ProvisionError } from "./errors.ts";

/** What the operator should check, by what failed to connect. */
const ADVICE: Record<string, string> = {
  ENOTFOUND: "the name does not resolve: check its spelling and your DNS",
  EAI_AGAIN: "DNS lookup failed for now: check your network or DNS, then run again",
  ECONNREFUSED: "nothing listens there: check the host and port",
  ECONNRESET: "the connection was reset: check a proxy or firewall in between, then run again",
  ETIMEDOUT: "the connection timed out: check your network, a proxy (HTTPS_PROXY) or firewall",
  UND_ERR_CONNECT_TIMEOUT: "the connection timed out: check your network, a proxy (HTTPS_PROXY) or firewall",
  CERT_HAS_EXPIRED: "its TLS certificate has expired",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its TLS certificate is not trusted here: a TLS-intercepting proxy needs NODE_EXTRA_CA_CERTS",
  SELF_SIGNED_CERT_IN_CHAIN: "its TLS certificate is not trusted here: a TLS-intercepting proxy needs NODE_EXTRA_CA_CERTS",
};

/** The system error code behind a failed fetch (undici wraps it in `cause`, sometimes twice). */
function causeCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/**
 * A fetch that never reached the server, as a ProvisionError naming the host, the cause and
 * what to check — instead of undici's bare "fetch failed". `source` names the setting the host
 * came from ("AUTH0_DOMAIN, the tenant domain, e.g. acme.eu.auth0.com"), so the advice points at
 * the right one. Never includes headers or bodies.
 */
export function networkError(url: string, error: unknown, source?: string): ProvisionError {
  const host = new URL(url).host;
  const code = causeCode(error) ?? (error instanceof Error && error.name === "TimeoutError" ? "ETIMEDOUT" : undefined);
  const advice = (code === undefined ? undefined : ADVICE[code]) ?? "check your network connection and proxy settings, then run again";
  const from = source === undefined ? "" : ` (from ${source})`;
  return new ProvisionError("network_error", `Could not reach ${host}${from}${code === undefined ? "" : ` (${code})`}: ${advice}. Nothing was changed by this request.`, { cause: error });
}
