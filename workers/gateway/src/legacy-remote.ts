/**
 * A remote backend that speaks only the 2025 session protocol (2025-06-18 / 2025-11-25), behind
 * the gateway's 2026-07-28 requests: the gateway opens one session per isolate (`initialize`,
 * then `notifications/initialized`), sends each request in it without the 2026 `_meta` envelope
 * and headers, and opens a new session when the server forgets the old one (404, MCP 2025-11-25
 * §Session Management). Its answers are JSON-RPC like any other and are read the same way.
 */
const ENVELOPE_PREFIX = "io.modelcontextprotocol/";
const MODERN_HEADERS = ["mcp-method", "mcp-name", "mcp-protocol-version", "mcp-session-id"];

interface Session {
  readonly id: string | null;
}

export function legacyRemoteSender(version: string, post: (request: Request) => Promise<Response>): (request: Request) => Promise<Response> {
  let session: Promise<Session> | undefined;

  const open = async (url: string): Promise<Session> => {
    const initialize = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: version, capabilities: {}, clientInfo: { name: "edge-mcp-gateway", version: "1" } } };
    const res = await post(jsonRequest(url, initialize, { "mcp-protocol-version": version }));
    await res.body?.cancel();
    if (!res.ok) throw new Error(`initialize answered HTTP ${res.status}`);
    const id = res.headers.get("mcp-session-id");
    const ack = await post(jsonRequest(url, { jsonrpc: "2.0", method: "notifications/initialized" }, { "mcp-protocol-version": version, ...(id === null ? {} : { "mcp-session-id": id }) }));
    await ack.body?.cancel();
    return { id };
  };

  const sessionFor = (url: string, fresh: boolean): Promise<Session> => {
    if (fresh || session === undefined) {
      const opening = open(url);
      session = opening;
      // A failed opening is forgotten, so the next request tries again.
      opening.catch(() => {
        if (session === opening) session = undefined;
      });
    }
    return session;
  };

  return async (request) => {
    const body = (await request.json()) as { params?: { _meta?: Record<string, unknown> } & Record<string, unknown> } & Record<string, unknown>;
    if (body.params?._meta !== undefined) {
      const meta = Object.fromEntries(Object.entries(body.params._meta).filter(([key]) => !key.startsWith(ENVELOPE_PREFIX)));
      body.params = { ...body.params, _meta: meta };
      if (Object.keys(meta).length === 0) delete body.params._meta;
    }
    const headers = new Headers(request.headers);
    for (const name of MODERN_HEADERS) headers.delete(name);
    headers.set("mcp-protocol-version", version);
    const send = async (fresh: boolean) => {
      const { id } = await sessionFor(request.url, fresh);
      const sent = new Headers(headers);
      if (id !== null) sent.set("mcp-session-id", id);
      return post(new Request(request.url, { method: "POST", headers: sent, body: JSON.stringify(body) }));
    };
    const first = await send(false);
    if (first.status !== 404) return first;
    await first.body?.cancel();
    return send(true);
  };
}

function jsonRequest(url: string, body: unknown, headers: Record<string, string>): Request {
  return new Request(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body: JSON.stringify(body) });
}
