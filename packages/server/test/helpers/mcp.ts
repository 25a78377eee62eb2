import { env, exports } from "cloudflare:workers";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { statelessWorker } from "../fixtures/test-worker.ts";
import { RESOURCE } from "./tokens.ts";

export type Target = "stateful" | "stateless";

/** Sends a request to the worker under test, in process (no network). */
export function send(target: Target, request: Request): Promise<Response> {
  return target === "stateful" ? exports.default.fetch(request) : statelessWorker.fetch(request, env as never);
}

/** The credential a client currently holds; tests swap it to simulate a token refresh. */
export interface TokenHolder {
  token: string;
}

/**
 * A real MCP SDK client over Streamable HTTP, whose fetch goes to the worker under test.
 * `standaloneStream: false` makes the client behave like one that does not open the optional
 * GET stream (its GET is answered 405 locally): an open stream is an in-flight request, and a
 * Durable Object is only evicted once in-flight requests drain.
 */
export async function connect(target: Target, holder: TokenHolder, capabilities: Record<string, object> = {}, { standaloneStream = true } = {}) {
  const client = new Client({ name: "edge-mcp-test", version: "1.0.0" }, { capabilities });
  const transport = new StreamableHTTPClientTransport(new URL(RESOURCE), {
    fetch: (input, init) => {
      const request = new Request(input, init);
      if (!standaloneStream && request.method === "GET") return Promise.resolve(new Response(null, { status: 405 }));
      request.headers.set("authorization", `Bearer ${holder.token}`);
      return send(target, request);
    },
  });
  await client.connect(transport);
  return { client, transport };
}

/** A raw JSON-RPC POST, for the cases an SDK client would never send. */
export function post(target: Target, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return send(
    target,
    new Request(RESOURCE, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

export const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};

export function sessionStub(sessionId: string) {
  const ns = (env as unknown as { MCP_SESSION: DurableObjectNamespace }).MCP_SESSION;
  return ns.get(ns.idFromName(sessionId));
}
