import { describe, expect, it } from "vitest";
import { buildWwwAuthenticate } from "../src/index.ts";

describe("buildWwwAuthenticate (RFC 6750 §3, RFC 9728 §5.1)", () => {
  it("is a bare Bearer challenge with no parameters", () => {
    expect(buildWwwAuthenticate({})).toBe("Bearer");
  });

  it("puts realm, error, description, scope and resource_metadata in order, each quoted", () => {
    expect(
      buildWwwAuthenticate({
        realm: "notes",
        error: "insufficient_scope",
        errorDescription: "Needs tools.write",
        scope: ["tools.read", "tools.write"],
        resourceMetadata: "https://notes-mcp.example.test/.well-known/oauth-protected-resource/mcp",
      }),
    ).toBe(
      'Bearer realm="notes", error="insufficient_scope", error_description="Needs tools.write", scope="tools.read tools.write", resource_metadata="https://notes-mcp.example.test/.well-known/oauth-protected-resource/mcp"',
    );
  });

  it("escapes quotes and backslashes in quoted-string values (RFC 9110 §5.6.4)", () => {
    expect(buildWwwAuthenticate({ realm: 'a"b\\c' })).toBe('Bearer realm="a\\"b\\\\c"');
  });

  it("keeps error_description to the characters RFC 6750 §3 allows", () => {
    expect(buildWwwAuthenticate({ errorDescription: 'say "hi"\\ café\u2028' })).toBe(`Bearer error_description="say 'hi'? caf??"`);
  });

  it("refuses CR/LF in a quoted value, so a challenge can never split a header", () => {
    expect(() => buildWwwAuthenticate({ resourceMetadata: "https://x.test/\r\nSet-Cookie: a=b" })).toThrow(TypeError);
  });

  it("refuses a scope token containing a space or a quote (RFC 6749 §3.3)", () => {
    expect(() => buildWwwAuthenticate({ scope: ["tools read"] })).toThrow(/not a valid scope token/);
    expect(() => buildWwwAuthenticate({ scope: ['a"b'] })).toThrow(TypeError);
  });

  it("omits an empty scope list", () => {
    expect(buildWwwAuthenticate({ scope: [] })).toBe("Bearer");
  });
});
