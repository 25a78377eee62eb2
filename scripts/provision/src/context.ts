import { loadFleet, type LoadedFleet } from "@edge-mcp/config/load";
import type { ManagementClient } from "auth0";
import { createApiFetch, type FetchLike } from "./api-fetch.ts";
import { desiredState, type DesiredState } from "./desired-state.ts";
import { AUTH0_COMMAND, readProvisionEnv, type EnvNeeds, type ProvisionEnv } from "./env.ts";
import { createManagement } from "./management.ts";

export interface ContextOptions {
  root: string;
  processEnv?: NodeJS.ProcessEnv;
  /** The fetch under the throttle/retry layer (tests point it at fakes). */
  baseFetch?: FetchLike;
  requestsPerSecond?: number;
}

/** What the Cloudflare commands (routes, deploy) share: config, secrets, the throttled fetch. */
export interface CloudflareContext {
  fleet: LoadedFleet;
  env: ProvisionEnv;
  apiFetch: FetchLike;
  counters: { managementCalls: number; writeCalls: number };
}

/** What the Auth0 commands share: that, the desired state and the Management API client. */
export interface ProvisionContext extends CloudflareContext {
  desired: DesiredState;
  mgmt: ManagementClient;
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

/** Config, secrets (those `needs` names) and the throttled fetch. */
function baseContext(options: ContextOptions, needs: EnvNeeds): CloudflareContext {
  const fleet = loadFleet(options.root);
  const env = readProvisionEnv(options.root, options.processEnv, needs);
  const counters = { managementCalls: 0, writeCalls: 0 };
  const apiFetch = createApiFetch({
    ...(options.requestsPerSecond === undefined ? {} : { requestsPerSecond: options.requestsPerSecond }),
    baseFetch: options.baseFetch ?? loopbackAware,
    sourceOf: (url) =>
      url.host === env.AUTH0_DOMAIN ? "AUTH0_DOMAIN, the tenant domain, e.g. acme.eu.auth0.com" : url.href.startsWith(env.CLOUDFLARE_API_BASE) ? "CLOUDFLARE_API_BASE, the Cloudflare API" : undefined,
    onRequest: ({ method, path }) => {
      if (!path.startsWith("/api/v2/")) return;
      counters.managementCalls += 1;
      if (method !== "GET") counters.writeCalls += 1;
    },
  });
  return { fleet, env, apiFetch, counters };
}

/** For the Cloudflare commands: no Management API secrets read, Cloudflare's checked as `cloudflare` says. */
export function createCloudflareContext(options: ContextOptions, cloudflare: "required" | "optional"): CloudflareContext {
  return baseContext(options, { management: false, cloudflare });
}

/** For the Auth0 commands: the Management API client and the desired state; Cloudflare's variables not read. */
export function createContext(options: ContextOptions): ProvisionContext {
  const base = baseContext(options, AUTH0_COMMAND);
  const { env, fleet } = base;
  const mgmt = createManagement({ domain: env.AUTH0_DOMAIN, clientId: env.AUTH0_MGMT_CLIENT_ID!, clientSecret: env.AUTH0_MGMT_CLIENT_SECRET!, fetch: base.apiFetch });
  const desired = desiredState(fleet.ecosystem, fleet.servers.map((s) => s.manifest), env.ECOSYSTEM_BASE_DOMAIN, env.AUTH0_DOMAIN);
  return { ...base, desired, mgmt };
}
