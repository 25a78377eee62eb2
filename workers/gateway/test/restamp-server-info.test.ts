import { describe, expect, it } from "vitest";
import { withGatewayServerInfo } from "../src/restamp-server-info.ts";

const GATEWAY = { name: "gateway", version: "1.0.0" };
const KEY = "io.modelcontextprotocol/serverInfo";

/** A body delivered in the given chunks, as a backend's stream may split it anywhere. */
function chunked(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({ start(c) { for (const chunk of chunks) c.enqueue(encoder.encode(chunk)); c.close(); } });
}
const read = (stream: ReadableStream<Uint8Array> | null) => new Response(stream).text();

describe("the gateway's serverInfo on relayed results", () => {
  it("replaces the backend's serverInfo in a JSON answer, keeping the rest of the result", async () => {
    const backend = JSON.stringify({ jsonrpc: "2.0", id: 7, result: { content: [], _meta: { [KEY]: { name: "notes", version: "2" }, other: 1 }, resultType: "complete" } });
    const out = JSON.parse(await read(withGatewayServerInfo(chunked(backend.slice(0, 20), backend.slice(20)), "application/json", 7, GATEWAY)));
    expect(out.result._meta).toEqual({ [KEY]: GATEWAY, other: 1 });
    expect(out.result.content).toEqual([]);
  });

  it("replaces it in the result event of an SSE answer split mid-event, leaving notifications and comments as they came", async () => {
    const progress = `event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: 1 } })}\n\n`;
    const result = `event: message\nid: 3\ndata: ${JSON.stringify({ jsonrpc: "2.0", id: "a", result: { content: [], _meta: { [KEY]: { name: "notes", version: "2" } } } })}\n\n`;
    const whole = `${progress}: keep-alive\n\n${result}`;
    const out = await read(withGatewayServerInfo(chunked(whole.slice(0, 30), whole.slice(30, 140), whole.slice(140)), "text/event-stream", "a", GATEWAY));
    const events = out.split("\n\n").filter(Boolean);
    expect(events[0]).toBe(progress.trimEnd());
    expect(events[1]).toBe(": keep-alive");
    expect(events[2]!.split("\n").slice(0, 2)).toEqual(["event: message", "id: 3"]);
    expect(JSON.parse(events[2]!.split("\n")[2]!.slice(6)).result._meta[KEY]).toEqual(GATEWAY);
  });

  it("leaves another request's answer and a result without serverInfo untouched", async () => {
    const other = JSON.stringify({ jsonrpc: "2.0", id: 8, result: { _meta: { [KEY]: { name: "notes", version: "2" } } } });
    expect(await read(withGatewayServerInfo(chunked(other), "application/json", 7, GATEWAY))).toBe(other);
    const plain = JSON.stringify({ jsonrpc: "2.0", id: 7, result: { content: [] } });
    expect(await read(withGatewayServerInfo(chunked(plain), "application/json", 7, GATEWAY))).toBe(plain);
  });
});
