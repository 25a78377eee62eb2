import { GatewayConfigSchema } from "@edge-mcp/config";
import { describe, expect, it } from "vitest";
import { backendTargets } from "../src/backend-target.ts";

const config = GatewayConfigSchema.parse({
  backends: {
    docs: { url: "https://docs-mcp.example.test/mcp", credentialSecret: "DOCS_TOKEN" },
    open: { url: "https://open-mcp.example.test/mcp" },
    notes: { service: "notes-mcp" },
  },
  rules: [],
});
const caller = { subject: "auth0|alice", clientId: "claude", scopes: ["tools.read"] };
const incoming = () => new Request("https://gateway-mcp.example.test/mcp", { method: "POST", headers: { authorization: "Bearer users-own-token", "x-edge-mcp-caller": "{}", "content-type": "application/json" }, body: "{}" });

describe("how the gateway reaches a backend", () => {
  it("sends a remote backend the gateway's own credential from its secret, never the user's token or the caller header", async () => {
    const seen: Request[] = [];
    const targets = backendTargets(config, { DOCS_TOKEN: "gateway-credential-for-docs" }, async (input) => (seen.push(input as Request), new Response("{}")));
    const docs = targets.get("docs")!;
    expect("misconfigured" in docs).toBe(false);
    await (docs as { send: (r: Request, c: typeof caller) => Promise<Response> }).send(incoming(), caller);
    expect(seen[0]!.url).toBe("https://docs-mcp.example.test/mcp");
    expect(seen[0]!.headers.get("authorization")).toBe("Bearer gateway-credential-for-docs");
    expect(seen[0]!.headers.get("x-edge-mcp-caller")).toBeNull();
    const open = targets.get("open") as { send: (r: Request, c: typeof caller) => Promise<Response> };
    await open.send(incoming(), caller);
    expect(seen[1]!.headers.get("authorization")).toBeNull();
  });

  it("reports a missing secret or binding as misconfigured instead of failing every request", () => {
    const targets = backendTargets(config, {});
    expect(targets.get("docs")).toEqual({ name: "docs", misconfigured: "secret DOCS_TOKEN is not set: wrangler secret put DOCS_TOKEN" });
    expect(targets.get("notes")).toEqual({ name: "notes", misconfigured: expect.stringMatching(/^no service binding NOTES \(to notes-mcp, entrypoint McpBackend\): deploy with the wrangler\.toml npm run provision -- routes renders/) });
  });

  it("gives a fleet backend the verified caller in its header and drops the user's token", async () => {
    const seen: Request[] = [];
    const binding = { fetch: async (r: Request) => (seen.push(r), new Response("{}")), events: async () => new Response(null, { status: 404 }) };
    const notes = backendTargets(config, { NOTES: binding }).get("notes") as { send: (r: Request, c: typeof caller) => Promise<Response> };
    await notes.send(incoming(), caller);
    expect(seen[0]!.headers.get("authorization")).toBeNull();
    expect(JSON.parse(seen[0]!.headers.get("x-edge-mcp-caller")!)).toEqual(caller);
  });
});
