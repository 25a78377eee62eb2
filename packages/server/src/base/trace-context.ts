import { TRACEPARENT_META_KEY } from "@modelcontextprotocol/server";

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/ §3.2) as a client sends it: the
 * `traceparent` in a 2026-07-28 request's `_meta` (SEP-414, `TRACEPARENT_META_KEY`), or the HTTP
 * `traceparent` header (2025 clients). Used for correlation only — audit lines carry the trace id so
 * one call can be followed across the gateway hop and the backend — never trusted for anything
 * else; a malformed value is ignored as if absent (§3.2.2.1: a receiver that cannot parse it
 * starts afresh).
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZERO = /^0+$/;

/** The parts of a valid `traceparent`. */
export interface TraceParent {
  readonly traceId: string;
  readonly parentId: string;
  readonly sampled: boolean;
}

/** Parses a `traceparent`; undefined when absent or malformed (§3.2.2: version ff is invalid; all-zero ids are invalid). */
export function parseTraceParent(value: unknown): TraceParent | undefined {
  if (typeof value !== "string" || value.length > 256) return undefined;
  const match = TRACEPARENT.exec(value.trim());
  if (match === null) return undefined;
  const [, version, traceId, parentId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === "ff") return undefined;
  // Version 00 has exactly four fields; later versions may append more (§3.2.4).
  if (version === "00" && rest !== undefined) return undefined;
  if (ALL_ZERO.test(traceId) || ALL_ZERO.test(parentId)) return undefined;
  return { traceId, parentId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/**
 * The trace id of a request: its `_meta.traceparent` (2026-07-28), else its `traceparent` header
 * (2025); undefined when neither is valid.
 */
export function traceIdOf(meta: Readonly<Record<string, unknown>> | undefined, header?: string | null): string | undefined {
  return (parseTraceParent(meta?.[TRACEPARENT_META_KEY]) ?? parseTraceParent(header))?.traceId;
}
