import type { PreparedRequest } from "./load.ts";

/**
 * What the benchmarks send as an MCP 2026-07-28 client: no session, so every request carries the
 * `_meta` envelope (protocol version, capabilities, client info) and the `Mcp-Method` /
 * `Mcp-Name` headers the revision requires.
 */
export const MODERN_META = Object.freeze({
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientCapabilities": {},
  "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1" },
});

/**
 * Headers and body of a 2026-07-28 `tools/call` of `tool` with `{ text: "hello" }` (the echo tool
 * answers "hello"), or of `tools/list` without a tool; add the URL and any `Authorization`.
 */
export function modernMessage(method: "tools/call" | "tools/list", tool?: string): { headers: Record<string, string>; body: string } {
  const params = method === "tools/call" ? { name: tool, arguments: { text: "hello" }, _meta: MODERN_META } : { _meta: MODERN_META };
  return {
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": method,
      ...(tool === undefined ? {} : { "mcp-name": tool }),
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  };
}

/** `modernMessage` as a request to `url` with `token` as its bearer credential, ready to probe and measure. */
export function modernRequest(url: string, token: string, method: "tools/call" | "tools/list", tool?: string): PreparedRequest {
  const message = modernMessage(method, tool);
  return { url, headers: { ...message.headers, authorization: `Bearer ${token}` }, body: message.body };
}
