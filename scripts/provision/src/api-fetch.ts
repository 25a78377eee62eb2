import { PROVISION_DEFAULTS } from "./defaults.ts";
import { networkError } from "./network-error.ts";

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface ApiFetchOptions {
  requestsPerSecond?: number;
  maxReadRetries?: number;
  baseFetch?: FetchLike;
  /** Injectable clock and sleep, so tests can check waits without waiting. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** The setting a host comes from, for the advice when it cannot be reached (e.g. "AUTH0_DOMAIN"). */
  sourceOf?: (url: URL) => string | undefined;
  /** Called for each request actually sent (method, URL path, status). */
  onRequest?: (event: { method: string; path: string; status: number; attempt: number }) => void;
}

/**
 * The fetch the Management API client (and the Cloudflare calls) use:
 * - a client-side throttle (`requestsPerSecond`, default 2) so a run never trips the tenant limit;
 * - reads retried on 429 and 5xx, waiting what `Retry-After` or `x-ratelimit-reset` (unix
 *   seconds) says, else exponential backoff;
 * - writes retried only on 429 (Auth0 did not process them). A write answered 5xx may have
 *   happened, so it is never retried blindly: the caller decides (e.g. looks up the client it
 *   tried to create by its ownership marker).
 */
export function createApiFetch(options: ApiFetchOptions = {}): FetchLike {
  const perSecond = options.requestsPerSecond ?? PROVISION_DEFAULTS.requestsPerSecond;
  const interval = perSecond > 0 ? 1000 / perSecond : 0;
  const maxRetries = options.maxReadRetries ?? PROVISION_DEFAULTS.maxReadRetries;
  const baseFetch = options.baseFetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let nextSlot = 0;

  const throttle = async () => {
    const t = now();
    const wait = Math.max(0, nextSlot - t);
    nextSlot = Math.max(t, nextSlot) + interval;
    if (wait > 0) await sleep(wait);
  };

  return async (input, init) => {
    const request = new Request(input, init);
    const method = request.method.toUpperCase();
    const body = method === "GET" || method === "HEAD" ? undefined : await request.clone().arrayBuffer();
    for (let attempt = 0; ; attempt++) {
      await throttle();
      let response: Response;
      try {
        response = await baseFetch(new Request(request, body === undefined ? {} : { body }));
      } catch (error) {
        throw networkError(request.url, error, options.sourceOf?.(new URL(request.url)));
      }
      options.onRequest?.({ method, path: new URL(request.url).pathname, status: response.status, attempt });
      const retryable = response.status === 429 || (method === "GET" && response.status >= 500);
      if (!retryable || attempt >= maxRetries) return response;
      await response.body?.cancel();
      await sleep(retryDelay(response, attempt, now()));
    }
  };
}

function retryDelay(response: Response, attempt: number, now: number): number {
  const retryAfter = response.headers.get("retry-after");
  if (retryAfter !== null && /^\d+$/.test(retryAfter)) return Math.min(Number(retryAfter) * 1000, PROVISION_DEFAULTS.maxRetryWaitMs);
  const reset = response.headers.get("x-ratelimit-reset");
  if (reset !== null && /^\d+$/.test(reset)) return Math.min(Math.max(0, Number(reset) * 1000 - now), PROVISION_DEFAULTS.maxRetryWaitMs);
  return Math.min(250 * 2 ** attempt, PROVISION_DEFAULTS.maxRetryWaitMs);
}
