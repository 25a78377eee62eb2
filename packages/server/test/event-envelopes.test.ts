import { describe, expect, it } from "vitest";
import { readEventEnvelopes } from "../src/events/event-sources.ts";

/** A stream that sends `lines` and then stays open, recording whether its reader cancelled it. */
function openStream(lines: string[]) {
  const state = { cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const line of lines) controller.enqueue(new TextEncoder().encode(line));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { body, state };
}

describe("reading a stream of event envelopes", () => {
  it("hands over each envelope, skipping keep-alive lines and lines that are not envelopes, and stops when its listener leaves", async () => {
    const { body, state } = openStream([`${JSON.stringify({ id: "a", event: { kind: "tools_list_changed" } })}\n\n`, "not json\n", `${JSON.stringify({ id: "b", event: { kind: "no_such_kind" } })}\n`, `{"id":"c","event":{"kind":"prompts_list_changed"}}\n`]);
    const seen: string[] = [];
    const leave = new AbortController();
    const reading = readEventEnvelopes(body, (envelope) => {
      seen.push(envelope.id);
      if (seen.length === 2) leave.abort();
    }, leave.signal);
    await reading;
    expect(seen).toEqual(["a", "c"]);
    expect(state.cancelled).toBe(true);
  });

  it("cancels the stream at once when its listener left before it opened (never reads a stream nobody hears)", async () => {
    const { body, state } = openStream([`${JSON.stringify({ id: "a", event: { kind: "tools_list_changed" } })}\n`]);
    const seen: string[] = [];
    await readEventEnvelopes(body, (envelope) => void seen.push(envelope.id), AbortSignal.abort());
    expect(seen).toEqual([]);
    expect(state.cancelled).toBe(true);
  });
});
