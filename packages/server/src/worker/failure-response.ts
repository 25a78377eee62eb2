import { isAuthFailure } from "@edge-mcp/auth";
import type { ServerConfig } from "../base/config.ts";
import { isServerFailure } from "../base/errors.ts";
import { challengeFor } from "../http/challenge.ts";
import { errorResponse, refusalOf } from "../http/error-response.ts";
import type { RequestObservation } from "../policy/request-audit.ts";

/**
 * The one answer to a failed MCP request, over HTTP or through the backend entrypoint: our
 * refusals by their own mapping; anything else a bare 500 (its text never reaches the client).
 * Why it was refused is noted for the request's audit line and metric point.
 */
export function failureResponse(error: unknown, config: ServerConfig | undefined, scopes: readonly string[], seen: RequestObservation | undefined, where: string): Response {
  if (isServerFailure(error) || isAuthFailure(error)) {
    const challenge = config === undefined ? { resourceMetadataUrl: "https://invalid/" } : challengeFor(config, scopes);
    if (seen !== undefined) seen.refusal = refusalOf(error);
    return errorResponse(error, challenge, seen?.rpcId ?? null);
  }
  // Our own messages never carry credentials; a foreign one is truncated, and never echoed to the client.
  const detail = error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : "unknown";
  console.error(JSON.stringify({ level: "error", message: `unhandled error${where}`, error: detail }));
  if (seen !== undefined) seen.refusal = { cause: "error", rpcCode: -32603 };
  return Response.json({ jsonrpc: "2.0", id: seen?.rpcId ?? null, error: { code: -32603, message: "Internal error" } }, { status: 500 });
}
