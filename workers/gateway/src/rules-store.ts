import { GATEWAY_RULES_BINDING as RULES_BINDING, GATEWAY_RULES_KEY as RULES_KEY, GatewayRulesSchema, type GatewayRules } from "@edge-mcp/config";
import { shortDigest } from "@edge-mcp/server";

export { RULES_KEY };

/** Rules that let nobody in: what an invalid document in KV becomes when nothing valid was seen before. */
const DENY_ALL: GatewayRules = Object.freeze({ rules: [], aliases: {} });

interface KvLike {
  get(key: string): Promise<string | null>;
}

export interface RulesSnapshot {
  readonly rules: GatewayRules;
  /** Changes whenever the rules do (the document's text, or "bundled"). */
  readonly version: string;
}

/**
 * The gateway's rules, per isolate: read from KV again once `refreshMs` has passed (KV is
 * eventually consistent anyway; each request that finds them stale reads), falling back to the
 * rules deployed with the worker while KV holds none. A document that fails validation never
 * widens access: the last valid rules stay, or nobody gets in; so do the rules last read while KV
 * cannot be read. `changed` tells whether the rules differ from the version last announced to
 * listeners (`announced`), so whichever path notices first — a request's setup, or a listener's
 * poll — tells the listeners once.
 */
export class RulesStore {
  #current: RulesSnapshot | undefined;
  #loadedAt = 0;
  /** Reads started, and the latest of them whose answer was applied: an older answer never replaces a newer one. */
  #started = 0;
  #applied = 0;
  #announced: string | undefined;

  readonly #bundled: GatewayRules;
  readonly #refreshMs: number;
  readonly #now: () => number;

  constructor(bundled: GatewayRules, refreshMs: number, now: () => number = Date.now) {
    this.#bundled = bundled;
    this.#refreshMs = refreshMs;
    this.#now = now;
  }

  async read(kv: KvLike | undefined): Promise<{ snapshot: RulesSnapshot; changed: boolean }> {
    let snapshot = this.#current;
    // Each stale read reads KV itself, never awaiting another request's read: workerd ends a
    // request's I/O with the request, so a read shared with a request that was cancelled would
    // never settle, and every request after it would wait on it. (Requests that find the rules
    // stale at the same moment each read KV once.)
    if (snapshot === undefined || this.#now() - this.#loadedAt >= this.#refreshMs) snapshot = await this.#load(kv);
    // The first rules an isolate sees are the baseline, not a change.
    this.#announced ??= snapshot.version;
    return { snapshot, changed: snapshot.version !== this.#announced };
  }

  /** `read` from the worker's rules binding (`GATEWAY_RULES`), when it has one. */
  readFrom(env: Readonly<Record<string, unknown>>): Promise<{ snapshot: RulesSnapshot; changed: boolean }> {
    return this.read(env[RULES_BINDING] as KvLike | undefined);
  }

  /** Records that listeners were told about `version`. */
  announced(version: string): void {
    this.#announced = version;
  }

  async #load(kv: KvLike | undefined): Promise<RulesSnapshot> {
    const read = ++this.#started;
    let text: string | null;
    try {
      text = kv === undefined ? null : await kv.get(RULES_KEY);
    } catch (error) {
      // KV failing for a while (an outage, its own rate limit) must not fail every request, nor
      // restart the listeners' feeds: the rules last read stay until a read works (tried again
      // after the interval). With none read yet nothing safe is known — not even the deployed
      // rules, which the KV document may narrow — so the error stands (closed).
      if (this.#current === undefined) throw error;
      this.#loadedAt = this.#now();
      console.error(JSON.stringify({ level: "error", message: `gateway rules in KV (${RULES_BINDING}/${RULES_KEY}) could not be read; keeping the rules last read`, error: error instanceof Error ? error.name : "error" }));
      return this.#current;
    }
    if (read < this.#applied && this.#current !== undefined) return this.#current; // a later read answered first
    this.#applied = read;
    this.#loadedAt = this.#now();
    if (text === null) return (this.#current = { rules: this.#bundled, version: "bundled" });
    if (this.#current?.version === text) return this.#current;
    let parsed: ReturnType<typeof GatewayRulesSchema.safeParse> | undefined;
    try {
      parsed = GatewayRulesSchema.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (parsed?.success !== true) {
      console.error(JSON.stringify({ level: "error", message: `gateway rules in KV (${RULES_BINDING}/${RULES_KEY}) are invalid; keeping the last valid rules`, issues: parsed?.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`) ?? ["not JSON"] }));
      return (this.#current ??= { rules: DENY_ALL, version: "invalid" });
    }
    return (this.#current = { rules: parsed.data, version: text });
  }
}

/**
 * What `/health` shows of the rules in force in this isolate: "bundled" (gateway.json), "invalid"
 * (an unusable KV document, deny-all until one is usable), or the first 16 hex digits of the
 * SHA-256 of the KV document — enough to tell whether a push took effect, nothing of who may do what.
 */
export async function rulesVersionDigest(version: string): Promise<string> {
  if (version === "bundled" || version === "invalid") return version;
  return shortDigest(version);
}
