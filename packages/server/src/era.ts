import { isLegacyRequest } from "@modelcontextprotocol/server";
import { isModernVersion } from "./jsonrpc.ts";

/**
 * Which protocol era a request speaks. "Modern" is MCP 2026-07-28 and later (no sessions, no
 * initialize, a per-request `_meta` envelope); "legacy" is 2025-11-25 and earlier (initialize,
 * `Mcp-Session-Id`). One endpoint serves both (MCP 2026-07-28, "Backwards compatibility").
 */
export type Era = "legacy" | "modern";

/**
 * The era of a request. POSTs are classified by the SDK's own predicate (`isLegacyRequest`, the
 * exact routing step of its modern handler: a `_meta` protocol-version claim, or a modern
 * `MCP-Protocol-Version` header, makes a request modern — even a malformed one, which the modern
 * path then answers with its precise error). A GET or DELETE naming a modern version is modern
 * (and answered 405: the modern era has no streams or sessions to open or end).
 */
export async function eraOf(request: Request, parsedBody: unknown): Promise<Era> {
  if (request.method !== "POST") return isModernVersion(request.headers.get("mcp-protocol-version")) ? "modern" : "legacy";
  return (await isLegacyRequest(request, parsedBody)) ? "legacy" : "modern";
}
