import type { AuthContext } from "./auth-context.ts";

interface Entry {
  readonly context: AuthContext;
  /** The key set the token was verified against (its fetch time); any refetch invalidates. */
  readonly keysVersion: number;
  /** ms since epoch after which the entry must not be served. */
  readonly validUntilMs: number;
}

/**
 * Remembers tokens that passed full verification, so the same token presented again (an MCP
 * client sends one access token on every request for its whole life) costs a map lookup
 * instead of an RSA verification.
 *
 * Safe because the key is the exact token string: any changed byte is a different key and
 * goes through full verification (a key of only the signature would let a forged payload ride
 * on a valid signature). An entry is served only while
 * - the token has not expired (`exp` + clock tolerance, checked on every hit),
 * - the key set it was verified against is still the current one (a JWKS refetch — rotation
 *   or max-age refresh — invalidates every entry), and
 * - those keys are inside the stale-if-error horizon.
 * Only successes are cached, so filling it takes valid tokens; it is bounded (oldest out first)
 * and lives in isolate memory only — nothing is written anywhere.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
  }

  get(token: string, nowMs: number, keysVersion: number): AuthContext | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.keysVersion !== keysVersion || nowMs >= entry.validUntilMs) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.context;
  }

  set(token: string, context: AuthContext, keysVersion: number, validUntilMs: number): void {
    if (this.maxEntries === 0) return;
    this.entries.delete(token);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(token, { context, keysVersion, validUntilMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
