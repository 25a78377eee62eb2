/**
 * The backend of bench/hop-transports.ts: an edge-mcp server with one `echo` tool whose
 * `McpBackend` entrypoint is reached three ways. `McpBackendTransports` is the shipped entrypoint
 * plus two JS RPC methods that hand the very same request to its `fetch` — so the three ways
 * differ only in how workerd carries the request and the answer across the service binding, and
 * the bench can tell which is cheapest. Never deployed.
 */
import { createMcpWorker, type EdgeMcpServer } from "@edge-mcp/server";
import { z } from "zod";

/** A request as plain data (what a JS RPC call can carry without a stream): the body and every header, the caller's among them. */
export interface PlainRequest {
  readonly body: string;
  readonly headers: Array<[string, string]>;
}

/** The answer as plain data: a JSON body as one string; an SSE answer as its stream. */
export interface PlainAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string | ReadableStream<Uint8Array> | null;
}

const worker = createMcpWorker({
  name: "bench-hop-backend",
  version: "1.0.0",
  transport: "stateless",
  setup(mcp: EdgeMcpServer) {
    mcp.tool("echo", { description: "Echo text back", inputSchema: { text: z.string() } }, ({ text }) => ({ content: [{ type: "text", text }] }));
  },
});

export default { fetch: worker.fetch };

export class McpBackendTransports extends worker.McpBackend {
  /** JS RPC with plain data: the body as a string, the headers as pairs; a JSON answer back as a string. */
  async call(request: PlainRequest): Promise<PlainAnswer> {
    const response = await this.fetch(new Request("https://backend.internal/mcp", { method: "POST", headers: request.headers, body: request.body }));
    const contentType = response.headers.get("content-type") ?? "application/json";
    return { status: response.status, contentType, body: contentType.startsWith("text/event-stream") ? response.body : await response.text() };
  }

  /** JS RPC taking the `Request` and returning the `Response`: workerd serialises both for the call. */
  async relay(request: Request): Promise<Response> {
    return this.fetch(request);
  }
}
