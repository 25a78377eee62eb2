import { describe, expect, it } from "vitest";
import { INITIALIZE, post, send } from "./helpers/mcp.ts";
import { RESOURCE, token } from "./helpers/tokens.ts";

interface SseEvent {
  id?: string;
  retry?: string;
  data: string;
}

/** Reads SSE events from a response body until `until` says stop (or the stream ends). */
async function readEvents(body: ReadableStream<Uint8Array>, until: (events: SseEvent[]) => boolean): Promise<SseEvent[]> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  let buffer = "";
  while (!until(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let boundary: number;
    while ((boundary = buffer.indexOf("\n\n")) !== -1) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const event: SseEvent = { data: "" };
      for (const line of block.split("\n")) {
        if (line.startsWith("id:")) event.id = line.slice(3).trim();
        else if (line.startsWith("retry:")) event.retry = line.slice(6).trim();
        else if (line.startsWith("data:")) event.data += line.slice(5).trim();
      }
      if (event.id !== undefined || event.data !== "") events.push(event);
    }
  }
  await reader.cancel();
  return events;
}

describe("SSE resumability (Streamable HTTP, 2025-11-25)", () => {
  it("lets a client that lost its POST stream resume with Last-Event-ID and receive the rest, including the result", { timeout: 30_000 }, async () => {
    const bearer = await token({ sub: "auth0|resumer" });
    const headers = { authorization: `Bearer ${bearer}`, "mcp-protocol-version": "2025-11-25" };
    const init = await post("stateful", { ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: "2025-11-25" } }, { authorization: `Bearer ${bearer}` });
    const sessionId = init.headers.get("mcp-session-id")!;
    await init.text();
    await (await post("stateful", { jsonrpc: "2.0", method: "notifications/initialized" }, { ...headers, "mcp-session-id": sessionId })).text();

    const call = await post("stateful", { jsonrpc: "2.0", id: 42, method: "tools/call", params: { name: "slow_steps", arguments: { steps: 4, delayMs: 150 }, _meta: { progressToken: "p1" } } }, { ...headers, "mcp-session-id": sessionId });
    expect(call.headers.get("content-type")).toBe("text/event-stream");
    // The priming event (id, retry, empty data) comes first; then drop the connection after the first progress.
    const before = await readEvents(call.body!, (events) => events.some((e) => e.data.includes('"progress":1')));
    expect(before[0]).toMatchObject({ data: "", retry: "1000" });
    const lastId = before.at(-1)!.id!;
    expect(lastId).toEqual(expect.any(String));

    const resumed = await send("stateful", new Request(RESOURCE, {
      headers: { ...headers, "mcp-session-id": sessionId, accept: "text/event-stream", "last-event-id": lastId },
    }));
    expect(resumed.status).toBe(200);
    const after = await readEvents(resumed.body!, (events) => events.some((e) => e.data.includes('"id":42')));
    const progress = after.filter((e) => e.data.includes("notifications/progress")).map((e) => (JSON.parse(e.data) as { params: { progress: number } }).params.progress);
    expect(progress).toEqual([2, 3, 4]);
    const result = JSON.parse(after.find((e) => e.data.includes('"id":42'))!.data) as { result: { content: Array<{ text: string }> } };
    expect(result.result.content[0]!.text).toBe("done after 4");
  });

  it("does not replay one user's events to another user presenting the same session and event id", async () => {
    const alice = await token({ sub: "auth0|alice-resume" });
    const init = await post("stateful", { ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: "2025-11-25" } }, { authorization: `Bearer ${alice}` });
    const sessionId = init.headers.get("mcp-session-id")!;
    await init.text();
    const mallory = await token({ sub: "auth0|mallory-resume" });
    const res = await send("stateful", new Request(RESOURCE, {
      headers: { authorization: `Bearer ${mallory}`, "mcp-session-id": sessionId, accept: "text/event-stream", "last-event-id": "anything_0000000001", "mcp-protocol-version": "2025-11-25" },
    }));
    expect(res.status).toBe(404);
  });
});
