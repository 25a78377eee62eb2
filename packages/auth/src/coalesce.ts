/**
 * Single-flight: while one call of `task` is running, later callers share its result
 * instead of starting their own. Nothing is kept after it settles — this is not a cache.
 *
 * Why the bounded wait: in workerd a promise whose I/O belongs to another request can be
 * left unsettled when that request is cancelled (the reason jose does not share its pending
 * JWKS fetch on Workers). A joiner therefore waits at most `maxJoinWaitMs` and then runs the
 * task itself, so a cancelled leader can delay a request but never hang it.
 */
export function coalesce<A extends unknown[], T>(
  task: (...args: A) => Promise<T>,
  maxJoinWaitMs: number,
): (...args: A) => Promise<T> {
  let inflight: Promise<T> | undefined;
  const lead = (args: A): Promise<T> => {
    const run: Promise<T> = task(...args).finally(() => {
      if (inflight === run) inflight = undefined;
    });
    inflight = run;
    return run;
  };
  return async (...args: A): Promise<T> => {
    const current = inflight;
    if (current === undefined) return lead(args);
    const outcome = await settleWithin(current, maxJoinWaitMs);
    if (outcome === TIMED_OUT) return inflight === current ? lead(args) : task(...args);
    return outcome.value;
  };
}

const TIMED_OUT = Symbol("timed out");

async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ value })), timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
