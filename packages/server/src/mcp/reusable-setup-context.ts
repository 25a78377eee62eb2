import type { CallerIdentity } from "../base/caller.ts";
import type { SetupContext } from "./build-server.ts";

/**
 * The contract of a reusable `setup` (the default, `reuse: true`): it may depend on the server's
 * config (`env`), the era and the caller's scopes — the pool's key — and on nothing of one
 * request or one caller. So the context it gets has the caller's scopes and no subject, client,
 * claims, method or target: reading one throws, naming the way out, instead of building a server
 * for one caller that the next caller with the same scopes would be served by.
 */
export function reusableSetupContext<Env>(base: Omit<SetupContext<Env>, "caller" | "claims" | "method" | "target">, scopes: readonly string[]): SetupContext<Env> {
  const caller = Object.defineProperties({ scopes: Object.freeze([...scopes]) }, {
    subject: { get: () => refuse("ctx.caller.subject"), enumerable: false },
    clientId: { get: () => refuse("ctx.caller.clientId"), enumerable: false },
  }) as CallerIdentity;
  return Object.freeze(
    Object.defineProperties({ ...base, caller: Object.freeze(caller) } as SetupContext<Env>, {
      claims: { get: () => refuse("ctx.claims"), enumerable: false },
    }),
  );
}

function refuse(what: string): never {
  throw new TypeError(
    `setup read ${what}, but built servers are reused for every caller with the same scopes: ` +
      "read the caller in a tool handler (extra.auth), or set reuse: false in createMcpWorker.",
  );
}
