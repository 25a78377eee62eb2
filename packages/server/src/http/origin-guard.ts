import type { ServerConfig } from "../base/config.ts";
import { HostNotAllowedError, OriginNotAllowedError } from "../base/errors.ts";

/** Headers a browser-based MCP client must be able to read (CORS). */
const EXPOSED = "WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version";
/**
 * Request headers a browser-based MCP client sends: the 2025 session protocol's, and MCP
 * 2026-07-28's `Mcp-Method` / `Mcp-Name` (Streamable HTTP §"Standard headers", required on every
 * POST of that revision).
 */
const ALLOWED_HEADERS = Object.freeze(["Authorization", "Content-Type", "Accept", "Mcp-Session-Id", "MCP-Protocol-Version", "Mcp-Method", "Mcp-Name", "Last-Event-ID"]);
const ALLOWED_LOWER = new Set(ALLOWED_HEADERS.map((h) => h.toLowerCase()));
/**
 * A tool's `x-mcp-header` parameter as the client sends it (2026-07-28 Streamable HTTP §"Schema
 * Extension"): `Mcp-Param-{Name}`, the name an RFC 9110 §5.1 token. Any name may be asked for, so
 * a preflight echoes the ones requested — at most `MAX_PARAM_HEADERS`, each bounded.
 */
const PARAM_HEADER = /^mcp-param-[!#$%&'*+\-.^_`|~0-9a-z]{1,100}$/;
const MAX_PARAM_HEADERS = 32;
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

/**
 * The headers a preflight allows: the fixed MCP set, plus the `Mcp-Param-*` headers this
 * preflight asks for (a browser sends `Access-Control-Request-Headers` in lowercase, RFC 9110
 * names being case-insensitive). Anything else asked for is left out, and the browser refuses it.
 */
export function allowedRequestHeaders(request: Request): string {
  const asked = (request.headers.get("access-control-request-headers") ?? "").toLowerCase();
  const params: string[] = [];
  for (const name of asked.split(",")) {
    const header = name.trim();
    if (ALLOWED_LOWER.has(header) || !PARAM_HEADER.test(header) || params.includes(header)) continue;
    params.push(header);
    if (params.length === MAX_PARAM_HEADERS) break;
  }
  return [...ALLOWED_HEADERS, ...params].join(", ");
}

export function preflightResponse(request: Request, config: ServerConfig, publicResource: boolean): Response {
  const cors = corsHeaders(request, config, publicResource);
  return new Response(null, {
    status: 204,
    headers: {
      ...cors,
      "access-control-allow-methods": publicResource ? "GET, OPTIONS" : "GET, POST, DELETE, OPTIONS",
      "access-control-allow-headers": allowedRequestHeaders(request),
      "access-control-max-age": PREFLIGHT_MAX_AGE_SECONDS,
      // The allowed headers depend on what the preflight asked for.
      vary: publicResource ? "Access-Control-Request-Headers" : "Origin, Access-Control-Request-Headers",
    },
  });
}
