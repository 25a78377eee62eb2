/**
 * Tokens the authorization server called inactive, remembered briefly (per isolate, bounded, oldest
 * out first) so that the same dead token presented again — a client retrying, anyone sending
 * made-up ones before authentication — is refused without asking again. Only the refusal is kept,
 * never anything the token grants; a token is never inactive first and active later.
 */
export class RefusedTokenCache {
  readonly #until = new Map<string, number>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  has(token: string, nowMs: number): boolean {
    const until = this.#until.get(token);
    if (until === undefined) return false;
    if (nowMs < until) return true;
    this.#until.delete(token);
    return false;
  }

  add(token: string, untilMs: number): void {
    if (this.#maxEntries === 0) return;
    this.#until.delete(token);
    while (this.#until.size >= this.#maxEntries) {
      const oldest = this.#until.keys().next().value;
      if (oldest === undefined) break;
      this.#until.delete(oldest);
    }
    this.#until.set(token, untilMs);
  }
}
