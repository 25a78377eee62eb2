import type { ServerConfig } from "./config.ts";
import { HostNotAllowedError, OriginNotAllowedError } from "./errors.ts";

/** Headers a browser-based MCP client must be able to read (CORS). */
const EXPOSED = "WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version";
const ALLOWED_HEADERS = "Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID";
const PREFLIGHT_MAX_AGE_SECONDS = "600";

/**
 * DNS-rebinding defence (Streamable HTTP §"Security Warning"): an `Origin` that is present and
 * not allowed → 403; a `Host` other than the resource's → 403. Absent `Origin` (non-browser
 * clients) is fine: the bearer token is what authenticates.
 */
export function checkOriginAndHost(request: Request, config: ServerConfig): void {
  const host = request.headers.get("host") ?? new URL(request.url).host;
  if (host.toLowerCase() !== config.resourceHost.toLowerCase()) {
    throw new HostNotAllowedError("Host not allowed for this MCP server.");
  }
  const origin = request.headers.get("origin");
  if (origin !== null && !config.allowedOrigins.has(origin)) {
    throw new OriginNotAllowedError("Origin not allowed.");
  }
}

/**
 * CORS for allowed origins only. Protected Resource Metadata is public and read cross-origin
 * by browser clients during discovery, so it is readable from any origin (`*`).
 */
export function corsHeaders(request: Request, config: ServerConfig, publicResource: boolean): Record<string, string> {
  if (publicResource) return { "access-control-allow-origin": "*" };
  const origin = request.headers.get("origin");
  if (origin === null || !config.allowedOrigins.has(origin)) return {};
  return { "access-control-allow-origin": origin, "access-control-expose-headers": EXPOSED, vary: "Origin" };
}

export function preflightResponse(request: Request, config: ServerConfig, publicResource: boolean): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...corsHeaders(request, config, publicResource),
      "access-control-allow-methods": publicResource ? "GET, OPTIONS" : "GET, POST, DELETE, OPTIONS",
      "access-control-allow-headers": ALLOWED_HEADERS,
      "access-control-max-age": PREFLIGHT_MAX_AGE_SECONDS,
    },
  });
}
