import type { JSONWebKeySet } from "jose";
import { z } from "zod";

/** The cross-isolate copy of a JWKS: the key set and when it was fetched (ms since epoch). */
export interface StoredJwks {
  readonly jwks: JSONWebKeySet;
  readonly uat: number;
}

/**
 * Where a verifier seeds jose's JWKS cache from and writes it back to, so that a new isolate
 * does not have to fetch the JWKS. Failures are swallowed by the verifier: a store is an
 * optimisation, never a reason to reject a token.
 */
export interface JwksStore {
  read(jwksUri: string): Promise<StoredJwks | undefined>;
  write(jwksUri: string, value: StoredJwks, ttlSeconds: number): Promise<void>;
}

const StoredJwksSchema = z.object({
  uat: z.number().finite().positive(),
  jwks: z.object({ keys: z.array(z.looseObject({ kty: z.string() })) }),
});

function parseStored(value: unknown): StoredJwks | undefined {
  const parsed = StoredJwksSchema.safeParse(value);
  return parsed.success ? (parsed.data as StoredJwks) : undefined;
}

/** The subset of the Workers Cache API a store needs. */
export interface CacheLike {
  match(request: Request): Promise<Response | undefined>;
  put(request: Request, response: Response): Promise<void>;
}

/** A cache key must be a GET of an http(s) URL; this host is never contacted. */
function cacheKey(jwksUri: string): Request {
  return new Request(`https://jwks-cache.edge-mcp.invalid/v1?uri=${encodeURIComponent(jwksUri)}`);
}

/**
 * Stores the JWKS in the Workers Cache API (per data centre). `cache` defaults to
 * `caches.open("edge-mcp-jwks")`. The entry lives `ttlSeconds` (`Cache-Control: max-age`).
 */
export function cacheApiJwksStore(cache?: CacheLike | Promise<CacheLike>): JwksStore {
  let opened: Promise<CacheLike> | undefined;
  const getCache = (): Promise<CacheLike> => {
    opened ??= cache !== undefined ? Promise.resolve(cache) : openDefaultCache();
    return opened;
  };
  return {
    async read(jwksUri) {
      const hit = await (await getCache()).match(cacheKey(jwksUri));
      return hit === undefined ? undefined : parseStored(await hit.json());
    },
    async write(jwksUri, value, ttlSeconds) {
      const response = new Response(JSON.stringify(value), {
        headers: { "content-type": "application/json", "cache-control": `max-age=${Math.floor(ttlSeconds)}` },
      });
      await (await getCache()).put(cacheKey(jwksUri), response);
    },
  };
}

function openDefaultCache(): Promise<CacheLike> {
  const storage = (globalThis as { caches?: { open(name: string): Promise<CacheLike> } }).caches;
  if (storage === undefined) return Promise.reject(new Error("The Cache API is not available here."));
  return storage.open("edge-mcp-jwks");
}

/** The subset of a Workers KV namespace binding a store needs. */
export interface KvLike {
  get(key: string, type: "text"): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
}

/** KV's smallest allowed `expirationTtl`, in seconds. */
const KV_MIN_TTL_SECONDS = 60;

/** Stores the JWKS in a KV namespace (global, eventually consistent) under `jwks:v1:<uri>`. */
export function kvJwksStore(kv: KvLike): JwksStore {
  const key = (jwksUri: string) => `jwks:v1:${jwksUri}`;
  return {
    async read(jwksUri) {
      const text = await kv.get(key(jwksUri), "text");
      return text === null ? undefined : parseStored(JSON.parse(text));
    },
    async write(jwksUri, value, ttlSeconds) {
      await kv.put(key(jwksUri), JSON.stringify(value), {
        expirationTtl: Math.max(KV_MIN_TTL_SECONDS, Math.floor(ttlSeconds)),
      });
    },
  };
}

/** The store a verifier uses when none is given: the Cache API where it exists (Workers). */
export function defaultJwksStore(): JwksStore | undefined {
  return "caches" in globalThis ? cacheApiJwksStore() : undefined;
}
