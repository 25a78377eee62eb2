/** The environment variable that tells the sandboxed vitest config which workspace it runs. */
export const WORKSPACE_ENV = "EDGE_MCP_MUTATION_WORKSPACE";
