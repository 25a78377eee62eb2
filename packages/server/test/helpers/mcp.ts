import { env, exports } from "cloudflare:workers";
import { connectMcp, type TokenHolder } from "@edge-mcp/testing";
import { statelessWorker } from "../fixtures/test-worker.ts";
import { RESOURCE } from "./tokens.ts";

export type Target = "stateful" | "stateless";
export type { TokenHolder };

/** Sends a request to the worker under test, in process (no network). */
export function send(target: Target, request: Request): Promise<Response> {
  return target === "stateful" ? exports.default.fetch(request) : statelessWorker.fetch(request, env as never);
}

/** A real MCP SDK client connected to the worker under test. */
export function connect(target: Target, holder: TokenHolder, capabilities: Record<string, object> = {}, { standaloneStream = true } = {}) {
  return connectMcp({ url: RESOURCE, fetch: (request) => send(target, request), holder, capabilities, standaloneStream });
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
