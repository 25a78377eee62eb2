/**
 * The facade worker's name (workers/oauth's wrangler.toml `name`) and the binding servers check
 * its tokens through (@edge-mcp/server's FACADE_BINDING): one spelling for `npm run dev` and
 * the provisioner's rendered wrangler.toml files.
 * No imports: cheap for any CLI to load.
 */
export const FACADE_WORKER = "oauth-facade";
export const FACADE_BINDING = "AUTH_SERVER";
