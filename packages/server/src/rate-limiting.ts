// `@edge-mcp/server/rate-limiting`: the rate limiter alone, for workers of this repo that are not
// MCP servers (the OAuth facade) and must not carry both MCP SDKs to count requests. Re-exports only.
export { RateLimitedError } from "./base/errors.ts";
export { enforceBudget, RATE_LIMIT_BINDINGS, RateLimitCounter } from "./policy/rate-limit.ts";
