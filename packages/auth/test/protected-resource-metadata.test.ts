import { describe, expect, it } from "vitest";
import { createProtectedResourceMetadata, protectedResourceMetadataUrl, SCOPE_PROFILES } from "../src/index.ts";

describe("createProtectedResourceMetadata (RFC 9728 §2)", () => {
  const options = {
    resource: "https://notes-mcp.example.test/mcp",
    authorizationServers: ["https://tenant.example-auth.test/"],
    scopesSupported: [...SCOPE_PROFILES.standard],
    resourceName: "Notes",
    resourceDocumentation: "https://docs.example.test/notes",
  };

  it("builds the document MCP clients read, with header as the only bearer method", () => {
    expect(createProtectedResourceMetadata(options)).toEqual({
      resource: "https://notes-mcp.example.test/mcp",
      authorization_servers: ["https://tenant.example-auth.test/"],
      scopes_supported: ["resources.read", "prompts.read", "tools.read", "tools.write"],
      bearer_methods_supported: ["header"],
      resource_name: "Notes",
      resource_documentation: "https://docs.example.test/notes",
    });
  });

  it("leaves out optional members that were not given", () => {
    const doc = createProtectedResourceMetadata({ ...options, resourceName: undefined, resourceDocumentation: undefined });
    expect(Object.keys(doc)).toEqual(["resource", "authorization_servers", "scopes_supported", "bearer_methods_supported"]);
  });

  it.each([
    ["resource", { resource: "https://notes-mcp.example.test/mcp#frag" }],
    ["resource", { resource: "https://notes-mcp.example.test/mcp?x=1" }],
    ["resource", { resource: "http://notes-mcp.example.test/mcp" }],
    ["authorizationServers", { authorizationServers: [] }],
    ["scopesSupported.0", { scopesSupported: ["tools write"] }],
    ["resourceDocumentation", { resourceDocumentation: "javascript:alert(1)" }],
  ])("throws a TypeError naming %s when it is invalid", (name, patch) => {
    expect(() => createProtectedResourceMetadata({ ...options, ...patch })).toThrow(new RegExp(`option "${name.replace(".", "\\.")}"`));
  });

  it("does not mutate the caller's options", () => {
    const copy = structuredClone(options);
    createProtectedResourceMetadata(options);
    expect(options).toEqual(copy);
  });
});

describe("protectedResourceMetadataUrl (RFC 9728 §3.1)", () => {
  it("inserts the well-known segment between host and path", () => {
    expect(protectedResourceMetadataUrl("https://notes-mcp.example.test/mcp")).toBe(
      "https://notes-mcp.example.test/.well-known/oauth-protected-resource/mcp",
    );
  });

  it("uses the bare well-known path for a resource at the root", () => {
    expect(protectedResourceMetadataUrl("https://notes-mcp.example.test/")).toBe(
      "https://notes-mcp.example.test/.well-known/oauth-protected-resource",
    );
  });

  it("keeps a port for local development", () => {
    expect(protectedResourceMetadataUrl("http://localhost:8787/mcp")).toBe("http://localhost:8787/.well-known/oauth-protected-resource/mcp");
  });
});
