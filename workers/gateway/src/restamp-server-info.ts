import { SERVER_INFO_META_KEY } from "@modelcontextprotocol/server";

/** Longest SSE event or JSON body the gateway re-stamps, in bytes; a longer one passes through as it is. */
const MAX_RESTAMPED_BYTES = 4 * 1_048_576;

export interface ServerInfo {
  readonly name: string;
  readonly version: string;
}

/**
 * The result message of a relayed call with the gateway's own serverInfo in its `_meta` (MCP
 * 2026-07-28: servers SHOULD stamp `io.modelcontextprotocol/serverInfo` on every result; the
 * client's server here is the gateway, not the backend behind it). Anything else is left alone.
 */
function restamp(text: string, id: unknown, serverInfo: ServerInfo): string {
  if (text.length > MAX_RESTAMPED_BYTES || !text.includes(SERVER_INFO_META_KEY)) return text;
  let message: { id?: unknown; result?: { _meta?: Record<string, unknown> } };
  try {
    message = JSON.parse(text) as typeof message;
  } catch {
    return text;
  }
  const meta = message.result?._meta;
  if (message.id !== id || meta === undefined || typeof meta !== "object" || meta === null || !(SERVER_INFO_META_KEY in meta)) return text;
  meta[SERVER_INFO_META_KEY] = { name: serverInfo.name, version: serverInfo.version };
  return JSON.stringify(message);
}

/** One SSE event (its lines, no trailing blank line) with its data restamped; other fields kept in order. */
function restampEvent(event: string, id: unknown, serverInfo: ServerInfo): string {
  const lines = event.split(/\r?\n/);
  const data = lines.filter((l) => l.startsWith("data:")).map((l) => l.slice(l.startsWith("data: ") ? 6 : 5));
  if (data.length === 0) return event;
  const joined = data.join("\n");
  const stamped = restamp(joined, id, serverInfo);
  if (stamped === joined) return event;
  return [...lines.filter((l) => !l.startsWith("data:")), `data: ${stamped}`].join("\n");
}

/**
 * The backend's answer to a relayed 2026-07-28 request (JSON, or an SSE stream of notifications
 * then the result), with the gateway's serverInfo on the result. Notifications and everything
 * else pass through as they came; the stream is read event by event, never buffered whole.
 */
export function withGatewayServerInfo(body: ReadableStream<Uint8Array> | null, contentType: string, id: unknown, serverInfo: ServerInfo): ReadableStream<Uint8Array> | null {
  if (body === null) return null;
  const sse = contentType.startsWith("text/event-stream");
  const encoder = new TextEncoder();
  let pending = "";
  return body.pipeThrough(new TextDecoderStream()).pipeThrough(
    new TransformStream<string, Uint8Array>({
      transform(chunk, controller) {
        pending += chunk;
        if (!sse) {
          // A JSON body is one message: flushed whole at the end (or as it is, once over the bound).
          if (pending.length > MAX_RESTAMPED_BYTES) (controller.enqueue(encoder.encode(pending)), (pending = ""));
          return;
        }
        for (let end = pending.search(/\r?\n\r?\n/); end !== -1; end = pending.search(/\r?\n\r?\n/)) {
          const separator = /\r?\n\r?\n/.exec(pending.slice(end))![0];
          controller.enqueue(encoder.encode(`${restampEvent(pending.slice(0, end), id, serverInfo)}${separator}`));
          pending = pending.slice(end + separator.length);
        }
        if (pending.length > MAX_RESTAMPED_BYTES) (controller.enqueue(encoder.encode(pending)), (pending = ""));
      },
      flush(controller) {
        if (pending !== "") controller.enqueue(encoder.encode(sse ? restampEvent(pending, id, serverInfo) : restamp(pending, id, serverInfo)));
      },
    }),
  );
}
