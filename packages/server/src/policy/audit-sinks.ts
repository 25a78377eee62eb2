import { finishAfterAnswer } from "../base/request-context.ts";
import type { AuditSink } from "./audit.ts";
import { metricsDatasetOf, metricsSink } from "./metrics.ts";

/**
 * Every sink an env's audit events go to: the configured one (console lines by default) and the
 * metrics dataset (one point per tool call and refused request; Analytics Engine, or the local
 * store under `npm run dev`). A sink that does I/O is waited for where the caller waits, and
 * otherwise finished after the answer.
 */
function teeFor(configured: AuditSink | undefined, env: object, metrics: boolean): AuditSink | undefined {
  const dataset = metrics ? metricsDatasetOf(env) : undefined;
  if (dataset === undefined) return configured;
  const points = metricsSink(dataset);
  if (configured === undefined) return points;
  return {
    write(event) {
      const written = configured.write(event);
      const point = points.write(event);
      // Nothing to wait for (the usual case: a line written, a point buffered): no promise made.
      if (point === undefined) return written;
      const pending = written === undefined ? point : Promise.all([written, point]).then(() => undefined);
      finishAfterAnswer(pending);
      return pending;
    },
  };
}

/** The audit sink of each env, composed once per env object (bindings differ per env, not per request). */
export function auditSinksFor(configured: AuditSink | undefined, metrics: boolean): (env: object) => AuditSink | undefined {
  const byEnv = new WeakMap<object, AuditSink | null>();
  return (env) => {
    let sink = byEnv.get(env);
    if (sink === undefined) byEnv.set(env, (sink = teeFor(configured, env, metrics) ?? null));
    return sink ?? undefined;
  };
}
