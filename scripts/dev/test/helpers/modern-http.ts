import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";

/** Raw MCP 2026-07-28 requests and SSE reading, for what a client library hides (listen streams, exact errors). */
export const MODERN = "2026-07-28";

/** The MCP SDK 2.x client pinned to 2026-07-28 (no initialize, no session), with a bearer token. */
export async function connectModern(url: string, token: string, capabilities: Record<string, object> = {}): Promise<ModernClient> {
  const client = new ModernClient({ name: "edge-mcp-test", version: "1" }, { capabilities, versionNegotiation: { mode: { pin: MODERN } } });
  await client.connect(new ModernTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

/** A raw JSON-RPC POST to an MCP endpoint with a bearer token, for what a client library would never send. */
export function postMcp(url: string, token: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  });
}

/** A raw MCP 2026-07-28 request: the `_meta` envelope and the required headers. */
export function modernPost(url: string, token: string, method: string, params: Record<string, unknown>, signal?: AbortSignal, id: number | string = 1): Promise<Response> {
  const name = typeof params.name === "string" ? params.name : typeof params.uri === "string" ? params.uri : undefined;
  const meta = { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}, "io.modelcontextprotocol/clientInfo": { name: "test", version: "1" } };
  const headers = { "mcp-protocol-version": MODERN, "mcp-method": method, ...(name === undefined ? {} : { "mcp-name": name }) };
  return postMcp(url, token, { jsonrpc: "2.0", id, method, params: { ...params, _meta: meta } }, headers, signal);
}

/** The JSON-RPC messages of a response, SSE or JSON. */
export async function messagesOf(response: Response): Promise<Array<Record<string, unknown>>> {
  const text = await response.text();
  if (!(response.headers.get("content-type") ?? "").startsWith("text/event-stream")) return [JSON.parse(text) as Record<string, unknown>];
  return text.split("\n").filter((l) => l.startsWith("data:") && l.length > 5).map((l) => JSON.parse(l.slice(5)) as Record<string, unknown>);
}

/** An open SSE stream (e.g. `subscriptions/listen`), read message by message. */
export interface SseReader {
  /** Resolves with the first message (after those already taken) satisfying `match`; rejects after `timeoutMs`. */
  next(match: (message: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>>;
  /** How the stream ended (who closed it, when), or undefined while it is open. */
  ended(): string | undefined;
  close(): void;
}

export function sseReader(response: Response, abort: AbortController): SseReader {
  const queue: Array<Record<string, unknown>> = [];
  const seen: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  let ended = false;
  let endedHow = "";
  void (async () => {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          endedHow = `the server closed it at ${new Date().toISOString()}`;
          break;
        }
        buffered += value;
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) {
          if (!line.startsWith("data:") || line.length <= 5) continue;
          const message = JSON.parse(line.slice(5)) as Record<string, unknown>;
          queue.push(message);
          seen.push(message);
        }
        for (const wake of waiters) wake();
      }
    } catch (error) {
      // aborted by close(), or the connection failed: say which, so a failure explains itself.
      endedHow = abort.signal.aborted ? "closed by the test" : `the connection failed at ${new Date().toISOString()}: ${String(error)}`;
    } finally {
      ended = true;
      for (const wake of waiters) wake();
    }
  })();
  return {
    async next(match, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const i = queue.findIndex(match);
        if (i !== -1) return queue.splice(0, i + 1).at(-1)!;
        if (ended) throw new Error(`the stream ended first — ${endedHow} (after ${seen.map((m) => String(m.method ?? `result ${String(m.id)}`)).join(", ") || "nothing"})`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms (saw ${queue.map((m) => String(m.method ?? m.id)).join(", ") || "nothing"})`);
        await new Promise<void>((resolve) => {
          const wake = () => (waiters.delete(wake), clearTimeout(timer), resolve());
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
    },
    ended: () => (ended ? endedHow : undefined),
    close: () => abort.abort(),
  };
}
