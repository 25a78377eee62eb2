import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

/** The credential a client currently holds; tests swap it to simulate a token refresh. */
export interface TokenHolder {
  token: string;
}

export interface ConnectOptions {
  url: string;
  /** Where requests go: a worker's fetch, in process. */
  fetch: (request: Request) => Promise<Response>;
  holder: TokenHolder;
  capabilities?: Record<string, object>;
  /**
   * `false` makes the client behave like one that does not open the optional standalone GET
   * stream (its GET is answered 405 locally). An open stream is an in-flight request, and a
   * Durable Object is only evicted once in-flight requests drain.
   */
  standaloneStream?: boolean;
}

/** A real MCP SDK client over Streamable HTTP whose fetch goes to the worker under test. */
export async function connectMcp({ url, fetch, holder, capabilities = {}, standaloneStream = true }: ConnectOptions) {
  const client = new Client({ name: "edge-mcp-test", version: "1.0.0" }, { capabilities });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    fetch: (input, init) => {
      const request = new Request(input, init);
      if (!standaloneStream && request.method === "GET") return Promise.resolve(new Response(null, { status: 405 }));
      request.headers.set("authorization", `Bearer ${holder.token}`);
      return fetch(request);
    },
  });
  await client.connect(transport);
  return { client, transport };
}

/** The text of the first content block of a tool result. */
export function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  const first = content[0];
  if (first?.type !== "text" || first.text === undefined) throw new Error("the result has no text content");
  return first.text;
}
