import type { CallerIdentity } from "../base/caller.ts";
import { SERVER_DEFAULTS } from "../base/defaults.ts";
import { TooManyListenersError } from "../base/errors.ts";
import { finishAfterAnswer } from "../base/request-context.ts";
import { listenerRegistryName, sessionNamespaceOf, sessionRpc } from "../base/session-registry.ts";

/** Retry-After when a subject holds as many listeners as allowed, in seconds. */
const TOO_MANY_LISTENERS_RETRY_AFTER_SECONDS = 30;

/** A listener's place in its subject's count, held while its stream is open. */
export interface ListenerSlot {
  /** The stream closed: the place is free (idempotent). */
  release(): void;
}

/** Per isolate, for servers without the session namespace (no registry object to count in). */
const local = new Map<string, number>();

/**
 * Takes a place for one more open listener of the caller (`subscriptions/listen`, a 2025 session's
 * GET stream), or throws `TooManyListenersError` (429) when it holds `limit`. Counted fleet-wide in
 * the subject's registry object when the server binds the session namespace — a lease renewed while
 * the stream is open, so a place whose release is lost frees itself — else in this isolate.
 */
export async function acquireListenerSlot(env: object, caller: CallerIdentity, limit: number): Promise<ListenerSlot> {
  const namespace = sessionNamespaceOf(env);
  if (namespace === undefined) {
    const held = local.get(caller.subject) ?? 0;
    if (held >= limit) throw new TooManyListenersError(limit, TOO_MANY_LISTENERS_RETRY_AFTER_SECONDS);
    local.set(caller.subject, held + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const left = (local.get(caller.subject) ?? 1) - 1;
        if (left > 0) local.set(caller.subject, left);
        else local.delete(caller.subject);
      },
    };
  }
  const registry = sessionRpc(namespace, listenerRegistryName(caller.subject));
  const id = crypto.randomUUID();
  const leaseMs = SERVER_DEFAULTS.listenerLeaseMs;
  if (!(await registry.admitListener(id, limit, leaseMs))) throw new TooManyListenersError(limit, TOO_MANY_LISTENERS_RETRY_AFTER_SECONDS);
  const renew = setInterval(() => void registry.admitListener(id, limit, leaseMs).catch(() => undefined), leaseMs / 2);
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      clearInterval(renew);
      // The stream has ended, and with it the request: the release must outlive it.
      finishAfterAnswer(registry.releaseListener(id));
    },
  };
}

/** The response with `onClose` called once its body ends, whichever side ends it (or at once, without a body). */
export function untilClosed(response: Response, onClose: () => void): Response {
  if (response.body === null) {
    onClose();
    return response;
  }
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  void response.body
    .pipeTo(writable)
    .catch(() => undefined)
    .finally(onClose);
  return new Response(readable, response);
}
