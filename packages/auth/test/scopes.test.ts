import { describe, expect, it } from "vitest";
import { effectiveScopes, hasScopes, InsufficientScopeError, missingScopes, requireScopes, resourceScopes, SCOPE_PROFILES, SCOPES } from "../src/index.ts";

const ctx = (...scopes: string[]) => ({ scopes });

describe("scopes", () => {
  it("defines the built-in vocabulary", () => {
    expect(Object.values(SCOPES)).toEqual(["resources.read", "prompts.read", "tools.read", "tools.write"]);
  });

  it("defines readonly as the three read scopes and standard as readonly + tools.write", () => {
    expect([...SCOPE_PROFILES.readonly]).toEqual(["resources.read", "prompts.read", "tools.read"]);
    expect([...SCOPE_PROFILES.standard]).toEqual([...SCOPE_PROFILES.readonly, "tools.write"]);
  });

  it("lets tools.write imply tools.read", () => {
    expect(hasScopes(ctx("tools.write"), ["tools.read"])).toBe(true);
    expect([...effectiveScopes(["tools.write"])].sort()).toEqual(["tools.read", "tools.write"]);
  });

  it("does not let tools.read imply tools.write", () => {
    expect(hasScopes(ctx("tools.read"), ["tools.write"])).toBe(false);
  });

  it("does not let tools.write imply resources.read or prompts.read", () => {
    expect(missingScopes(ctx("tools.write"), ["resources.read", "prompts.read"])).toEqual(["resources.read", "prompts.read"]);
  });

  it("needs every required scope, and an empty requirement is always met", () => {
    expect(hasScopes(ctx("tools.read"), ["tools.read", "resources.read"])).toBe(false);
    expect(hasScopes(ctx(), [])).toBe(true);
  });

  it("matches scopes exactly (case-sensitive, no prefix matching)", () => {
    expect(hasScopes(ctx("Tools.Read", "tools"), ["tools.read"])).toBe(false);
  });

  it("throws insufficient_scope naming all the required scopes, not just the missing ones (step-up)", () => {
    try {
      requireScopes(ctx("tools.read"), ["tools.read", "tools.write"]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InsufficientScopeError);
      expect((error as InsufficientScopeError).requiredScopes).toEqual(["tools.read", "tools.write"]);
    }
    expect(() => requireScopes(ctx("tools.write"), ["tools.read", "tools.write"])).not.toThrow();
  });

  it("keeps a token's resource scopes once each, without blanks (a scope string with extra spaces) or protocol scopes", () => {
    expect(resourceScopes(["tools.read", "", "openid", "tools.read", "tools.write"])).toEqual(["tools.read", "tools.write"]);
  });
});
