/**
 * The baseline edge-mcp is measured against: an MCP server built the common way on Node —
 * Express + the MCP SDK's Streamable HTTP transport (stateless: a fresh server and transport per
 * request, as the SDK's examples do) + jose `createRemoteJWKSet` / `jwtVerify` bearer auth
 * (issuer, audience, RS256). Same `echo` tool, same token and JWKS as the edge-mcp variants.
 *
 *   node bench/baselines/express-mcp/server.ts --port 8080 --issuer http://127.0.0.1:9/ --audience http://127.0.0.1:8080/mcp --jwks http://127.0.0.1:9/.well-known/jwks.json
 */
import { parseArgs } from "node:util";
import express from "express";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

const { values } = parseArgs({ options: { port: { type: "string" }, issuer: { type: "string" }, audience: { type: "string" }, jwks: { type: "string" } } });
const jwks = createRemoteJWKSet(new URL(values.jwks!));

const app = express();
app.use(express.json({ limit: "1mb" }));

app.post("/mcp", async (req, res) => {
  const header = req.headers.authorization ?? "";
  const match = /^Bearer (.+)$/i.exec(header);
  if (match === null) {
    res.status(401).set("WWW-Authenticate", "Bearer").json({ error: "unauthorized" });
    return;
  }
  try {
    await jwtVerify(match[1]!, jwks, { issuer: values.issuer!, audience: values.audience!, algorithms: ["RS256"] });
  } catch {
    res.status(401).set("WWW-Authenticate", 'Bearer error="invalid_token"').json({ error: "invalid_token" });
    return;
  }
  const server = new McpServer({ name: "express-baseline", version: "1.0.0" });
  server.registerTool("echo", { description: "Echo text back", inputSchema: { text: z.string() } }, ({ text }) => ({ content: [{ type: "text", text }] }));
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on("close", () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});

app.listen(Number(values.port), "127.0.0.1", () => console.log(`express baseline listening on ${values.port}`));
