import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { send, type Target } from "./mcp.ts";
import { RESOURCE } from "./tokens.ts";

export const MODERN = "2026-07-28";

/** A real `@modelcontextprotocol/client` 2.x pinned to MCP 2026-07-28 (no initialize, no session). */
export async function connectModern(target: Target, bearer: string, capabilities: Record<string, object> = {}) {
  const client = new Client({ name: "modern-test", version: "1" }, { capabilities, versionNegotiation: { mode: { pin: MODERN } } });
  const transport = new StreamableHTTPClientTransport(new URL(RESOURCE), {
    fetch: (input, init) => send(target, new Request(input, init)),
    requestInit: { headers: { authorization: `Bearer ${bearer}` } },
  });
  await client.connect(transport);
  return client;
}

/** A raw 2026-07-28 POST: the `_meta` envelope and the required headers, for cases a client would never send. */
export function modernPost(target: Target, method: string, params: Record<string, unknown>, headers: Record<string, string> = {}, id: number | string = 1, clientCapabilities: Record<string, object> = {}): Promise<Response> {
  const meta = { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": clientCapabilities, "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" } };
  const name = typeof params.name === "string" ? params.name : typeof params.uri === "string" ? params.uri : undefined;
  return send(target, new Request(RESOURCE, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": MODERN,
      "mcp-method": method,
      ...(name === undefined ? {} : { "mcp-name": name }),
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: "2.0", id, method, params: { ...params, _meta: meta } }),
  }));
}
