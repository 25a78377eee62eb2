import { tracing } from "cloudflare:workers";

/** What a stage may say about itself on its span (never a token, a secret or tool arguments). */
export interface SpanHandle {
  setAttribute(key: string, value: string | number | boolean): unknown;
}

/**
 * Where edge-mcp's spans go: one per stage that matters (authentication, dispatch, the tool
 * itself), nested by async context. The seam tests record through; production uses Workers'
 * own tracing.
 */
export interface Tracer {
  enterSpan<T>(name: string, callback: (span: SpanHandle) => T): T;
}

/**
 * Workers' custom spans (`tracing.enterSpan` from `cloudflare:workers`): in production they join the
 * request's trace, exported to the account's OTLP destinations when `[observability.traces]` is on;
 * local workerd runs the callback and records nothing. Inside a span that is not traced (a request
 * the account's `head_sampling_rate` left out), no span is entered: the callback runs as it is.
 */
export const WORKERS_TRACER: Tracer = {
  enterSpan: (name, callback) => {
    // A request head sampling left out is not traced: its stages pay for no spans of their own.
    const active = tracing.getActiveSpan();
    return active !== undefined && !active.isTraced ? callback(UNTRACED_SPAN) : tracing.enterSpan(name, callback);
  },
};

/** What a stage of an untraced request sets its attributes on: nothing. */
const UNTRACED_SPAN: SpanHandle = Object.freeze({ setAttribute: () => UNTRACED_SPAN });
