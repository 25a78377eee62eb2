import { createMcpWorker } from "@edge-mcp/server";

/**
 * concierge-mcp: tools that act as the signed-in user in other systems, with one line each —
 * `extra.apis.fetch(name, path)` for an API this server declares in mcp.json `apis`:
 * - `my_orders`: the company's own orders API, with a token exchanged on the user's behalf
 *   (RFC 8693; the API sees the user as `sub` and this server in `act`);
 * - `my_repos`, `github_profile`: GitHub through the user's connected account (Auth0 Token Vault);
 *   the first call asks the user to connect it (a URL elicitation), then continues.
 * Tokens never reach the tools' results or the logs.
 */
async function answer(res: Response, what: string) {
  if (!res.ok) return { content: [{ type: "text" as const, text: `${what} answered HTTP ${res.status}.` }], isError: true };
  const body = (await res.json()) as unknown;
  return { content: [{ type: "text" as const, text: JSON.stringify(body) }], structuredContent: { result: body as Record<string, unknown> } };
}

const worker = createMcpWorker({
  name: "concierge",
  version: "1.0.0",
  transport: "stateful",
  instructions: "Acts as you in other systems: your orders (the company's orders API) and your GitHub repositories (after you connect your GitHub account once).",
  setup(mcp) {
    mcp.tool("my_orders", { description: "Your orders, from the orders API, as you.", annotations: { readOnlyHint: true, openWorldHint: true } }, async (extra) => answer(await extra.apis.fetch("orders", "/orders"), "The orders API"));
    mcp.tool("my_repos", { description: "Your GitHub repositories, through your connected GitHub account.", annotations: { readOnlyHint: true, openWorldHint: true } }, async (extra) => answer(await extra.apis.fetch("github", "/user/repos"), "GitHub"));
    mcp.tool("github_profile", { description: "Your GitHub profile, through your connected GitHub account.", annotations: { readOnlyHint: true, openWorldHint: true } }, async (extra) => answer(await extra.apis.fetch("github", "/user"), "GitHub"));
  },
});

export default { fetch: worker.fetch };
export const McpSession = worker.McpSession;
/** The RPC entrypoint an edge-mcp gateway (and the operator console) calls through a service binding. */
export const McpBackend = worker.McpBackend;
export { McpEventBus, RateLimitCounter } from "@edge-mcp/server";
