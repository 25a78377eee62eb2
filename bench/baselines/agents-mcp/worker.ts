/** The same `echo` tool on Cloudflare agents' McpAgent (one Durable Object per session), for bundle size only. */
import { McpAgent } from "agents/mcp";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

export class EchoAgent extends McpAgent {
  server = new McpServer({ name: "agents-baseline", version: "1.0.0" });

  async init() {
    this.server.registerTool("echo", { description: "Echo text back", inputSchema: { text: z.string() } }, ({ text }) => ({
      content: [{ type: "text", text }],
    }));
  }
}

export default EchoAgent.serve("/mcp");
