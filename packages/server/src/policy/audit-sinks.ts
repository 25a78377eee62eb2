import { finishAfterAnswer } from "../base/request-context.ts";
import { AUDIT_SCHEMA, type AuditEvent, type AuditSink } from "./audit.ts";
import { LOCAL_METRICS_BINDING, metricsDatasetOf, metricsSink } from "./metrics.ts";

/** The local telemetry store's audit side (`npm run dev`: the operator console's `TelemetryStore`). */
interface LocalAuditStore {
  writeAuditLine(line: Record<string, unknown>): Promise<void> | void;
}

function localAuditStoreOf(env: object): LocalAuditStore | undefined {
  const binding = (env as Record<string, unknown>)[LOCAL_METRICS_BINDING] as Partial<LocalAuditStore> | undefined;
  return binding !== undefined && binding !== null && typeof binding.writeAuditLine === "function" ? (binding as LocalAuditStore) : undefined;
}

/**
 * Every sink an env's audit events go to: the configured one (console lines by default), the
 * metrics dataset (one point per tool call and refused request), and under `npm run dev` the
 * local store that stands in for Workers Logs. Written together; a sink that does I/O is waited
 * for where the caller waits, and otherwise finished after the answer.
 */
function teeFor(configured: AuditSink | undefined, env: object, metrics: boolean): AuditSink | undefined {
  const sinks: AuditSink[] = [];
  if (configured !== undefined) sinks.push(configured);
  const dataset = metrics ? metricsDatasetOf(env) : undefined;
  if (dataset !== undefined) sinks.push(metricsSink(dataset));
  const local = configured === undefined ? undefined : localAuditStoreOf(env);
  if (local !== undefined) {
    sinks.push({ write: async (event: AuditEvent) => void (await Promise.resolve(local.writeAuditLine({ schema: AUDIT_SCHEMA, ...event })).catch(() => undefined)) });
  }
  if (sinks.length <= 1) return sinks[0];
  return {
    write(event) {
      const pending: Promise<void>[] = [];
      for (const sink of sinks) {
        const written = sink.write(event);
        if (written !== undefined) pending.push(written);
      }
      if (pending.length === 0) return;
      const all = Promise.all(pending).then(() => undefined);
      finishAfterAnswer(all);
      return all;
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
