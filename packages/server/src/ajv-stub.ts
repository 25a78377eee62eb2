/**
 * Stands in for `ajv` and `ajv-formats` in worker bundles (wrangler `[alias]`). The MCP SDK
 * imports Ajv at module load for its default validator, but Ajv compiles validators with
 * `new Function`, which Workers forbid — edge-mcp always passes @cfworker/json-schema instead,
 * so Ajv is never constructed. Aliasing it away saves ~40 KiB gzip; if anything ever does
 * construct it, it fails loudly instead of silently.
 */
export default class AjvUnavailable {
  constructor() {
    throw new Error("Ajv is not available in edge-mcp workers; JSON Schema validation uses @cfworker/json-schema.");
  }
}
