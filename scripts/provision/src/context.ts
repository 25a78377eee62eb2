import { loadFleet, type LoadedFleet } from "@edge-mcp/config/load";
import type { ManagementClient } from "auth0";
import { createApiFetch, type FetchLike } from "./api-fetch.ts";
import { desiredState, type DesiredState } from "./desired-state.ts";
import { readProvisionEnv, type ProvisionEnv } from "./env.ts";
import { createManagement } from "./management.ts";

export interface ContextOptions {
  root: string;
  processEnv?: NodeJS.ProcessEnv;
  /** The fetch under the throttle/retry layer (tests point it at fakes). */
  baseFetch?: FetchLike;
  requestsPerSecond?: number;
}

export interface ProvisionContext {
  fleet: LoadedFleet;
  env: ProvisionEnv;
  desired: DesiredState;
  apiFetch: FetchLike;
  mgmt: ManagementClient;
  counters: { managementCalls: number; writeCalls: number };
}

/**
 * Plain fetch, except that a tenant on loopback (`AUTH0_DOMAIN=127.0.0.1:port`, a local fake or
 * proxy) is spoken to over http: the Auth0 SDK always builds https URLs.
 */
const loopbackAware: FetchLike = (input, init) => {
  const request = new Request(input, init);
  const url = new URL(request.url);
  if (url.protocol === "https:" && (url.hostname === "127.0.0.1" || url.hostname === "localhost")) {
    url.protocol = "http:";
    return fetch(new Request(url, request));
  }
  return fetch(request);
};

/** Config, secrets, the throttled fetch and the Management API client every command shares. */
export function createContext(options: ContextOptions): ProvisionContext {
  const fleet = loadFleet(options.root);
  const env = readProvisionEnv(options.root, options.processEnv);
  const counters = { managementCalls: 0, writeCalls: 0 };
  const apiFetch = createApiFetch({
    ...(options.requestsPerSecond === undefined ? {} : { requestsPerSecond: options.requestsPerSecond }),
    baseFetch: options.baseFetch ?? loopbackAware,
    onRequest: ({ method, path }) => {
      if (!path.startsWith("/api/v2/")) return;
      counters.managementCalls += 1;
      if (method !== "GET") counters.writeCalls += 1;
    },
  });
  const mgmt = createManagement({ domain: env.AUTH0_DOMAIN, clientId: env.AUTH0_MGMT_CLIENT_ID, clientSecret: env.AUTH0_MGMT_CLIENT_SECRET, fetch: apiFetch });
  const desired = desiredState(fleet.ecosystem, fleet.servers.map((s) => s.manifest), env.ECOSYSTEM_BASE_DOMAIN);
  return { fleet, env, desired, apiFetch, mgmt, counters };
}
