import { isLegacyRequest, PROTOCOL_VERSION_META_KEY } from "@modelcontextprotocol/server";
import { isModernVersion } from "./jsonrpc.ts";

/**
 * Which protocol era a request speaks. "Modern" is MCP 2026-07-28 and later (no sessions, no
 * initialize, a per-request `_meta` envelope); "legacy" is 2025-11-25 and earlier (initialize,
 * `Mcp-Session-Id`). One endpoint serves both (MCP 2026-07-28, "Backwards compatibility").
 */
export type Era = "legacy" | "modern";

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * Whether a parsed body is one message (not a batch, not a response) other than `initialize`
 * whose params carry the envelope claim (the protocol-version key in `_meta`, valid or not). The
 * SDK's classifier never routes such a message to the legacy era: it answers it as modern, or
 * with a modern-path rejection (a bad envelope, a header that disagrees) — both "not legacy". So
 * the claim alone decides, without the SDK's schema checks (three zod parses, two of them failing
 * with their issue lists: ~10% of a gateway's CPU per relayed call). `test/era.test.ts` holds the
 * two to the same answers.
 */
function claimsModernEnvelope(body: unknown): boolean {
  if (!isObject(body) || body.method === "initialize" || "result" in body || "error" in body) return false;
  return isObject(body.params) && isObject(body.params._meta) && PROTOCOL_VERSION_META_KEY in body.params._meta;
}

/**
 * The era of a request. POSTs are classified by the SDK's own predicate (`isLegacyRequest`, the
 * exact routing step of its modern handler: a `_meta` protocol-version claim, or a modern
 * `MCP-Protocol-Version` header, makes a request modern — even a malformed one, which the modern
 * path then answers with its precise error), after a fast path for a message that claims the
 * envelope (`claimsModernEnvelope`, the same answer). A GET or DELETE naming a modern version is
 * modern (and answered 405: the modern era has no streams or sessions to open or end).
 */
export async function eraOf(request: Request, parsedBody: unknown): Promise<Era> {
  if (request.method !== "POST") return isModernVersion(request.headers.get("mcp-protocol-version")) ? "modern" : "legacy";
  if (claimsModernEnvelope(parsedBody)) return "modern";
  return (await isLegacyRequest(request, parsedBody)) ? "legacy" : "modern";
}
