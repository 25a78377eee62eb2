import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The execution context of the request being served, for work that must finish after its answer
 * (releasing a listener's place once its stream closed): workerd drops a request's pending I/O
 * once its response is done, unless it was handed to `waitUntil`. Absent in a Durable Object,
 * whose I/O belongs to the object and outlives the request anyway.
 */
const served = new AsyncLocalStorage<Pick<ExecutionContext, "waitUntil">>();

/** Runs `fn` as the request `ctx` serves (a no-op wrapper without one). */
export function inRequest<T>(ctx: Pick<ExecutionContext, "waitUntil"> | undefined, fn: () => T): T {
  return ctx === undefined ? fn() : served.run(ctx, fn);
}

/** Lets `work` finish after the current request has answered (`waitUntil`), where there is a request to extend. */
export function finishAfterAnswer(work: Promise<unknown>): void {
  served.getStore()?.waitUntil(work.catch(() => undefined));
}
