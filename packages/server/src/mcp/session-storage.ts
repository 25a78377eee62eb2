/**
 * What tool code gets as session storage: a view of the session object's storage under its own
 * key prefix. The framework keeps the session's binding (who owns it), its stored `initialize`
 * and its idle clock in the same object; a tool — careless or compromised — must not be able
 * to read or overwrite them (overwriting the binding would hand the session to another user).
 * No `deleteAll`, alarms or SQL: ending the session deletes everything anyway.
 */
const PREFIX = "tool:";

/** Session storage for tool code: key/value only, confined to its own namespace. */
export interface SessionStorage {
  get<T = unknown>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** Entries whose key starts with `prefix` (tool keys only), in key order. */
  list<T = unknown>(options?: { prefix?: string; limit?: number }): Promise<Map<string, T>>;
}

export function toolStorage(storage: DurableObjectStorage): SessionStorage {
  const scoped = (key: string) => {
    if (typeof key !== "string") throw new TypeError("session storage keys are strings");
    return `${PREFIX}${key}`;
  };
  return Object.freeze({
    get: <T>(key: string) => storage.get<T>(scoped(key)),
    put: <T>(key: string, value: T) => storage.put(scoped(key), value),
    delete: (key: string) => storage.delete(scoped(key)),
    async list<T>(options: { prefix?: string; limit?: number } = {}) {
      const entries = await storage.list<T>({ prefix: scoped(options.prefix ?? ""), ...(options.limit === undefined ? {} : { limit: options.limit }) });
      return new Map([...entries].map(([key, value]) => [key.slice(PREFIX.length), value]));
    },
  });
}
