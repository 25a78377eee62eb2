import { ManagementClient } from "auth0";
import { ProvisionError } from "./errors.ts";
import type { FetchLike } from "./api-fetch.ts";

export interface ManagementOptions {
  domain: string;
  clientId: string;
  clientSecret: string;
  fetch: FetchLike;
}

/**
 * The `auth0` SDK's ManagementClient, with its own retries off (they would repeat POSTs: a 5xx
 * on POST /clients could then create a duplicate) — our fetch decides what is retried. The
 * Management API token (client credentials, audience `https://{domain}/api/v2/` — the trailing
 * slash matters) is fetched once and reused: it lives 24 h.
 */
export function createManagement(options: ManagementOptions): ManagementClient {
  let token: Promise<string> | undefined;
  const getToken = () => {
    token ??= (async () => {
      const res = await options.fetch(`https://${options.domain}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          grant_type: "client_credentials",
          client_id: options.clientId,
          client_secret: options.clientSecret,
          audience: `https://${options.domain}/api/v2/`,
        }),
      });
      if (!res.ok) {
        token = undefined;
        throw new ProvisionError("auth0_error", `Auth0 refused the Management API credentials (HTTP ${res.status}): check AUTH0_MGMT_CLIENT_ID / AUTH0_MGMT_CLIENT_SECRET and that the application is authorized for the Management API.`);
      }
      return ((await res.json()) as { access_token: string }).access_token;
    })();
    return token;
  };
  return new ManagementClient({
    domain: options.domain,
    token: getToken,
    fetch: options.fetch as typeof fetch,
    maxRetries: 0,
    telemetry: false,
  });
}
