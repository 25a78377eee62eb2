import { describe, expect, it } from "vitest";
import { isProse, proseIgnorer } from "../src/prose-ignorer.ts";

describe("the prose ignorer", () => {
  it.each([
    "The access token does not name its signing key (kid).",
    "This operation needs the scopes: tools.write.",
    "Cloudflare refused the KV namespace listing",
  ])("leaves a message unmutated: %s", (text) => {
    expect(isProse(text)).toBe(true);
  });

  it.each(["unknown_key", "invalid_request", "tools.read tools.write", "Bearer ", "ref/prompt", "\nbinding = \"\"\nservice = \"\"\n", "S256", ""])(
    "still mutates a code, scope list or header: %j",
    (text) => {
      expect(isProse(text)).toBe(false);
    },
  );

  it("reads string and template literals, and nothing else", () => {
    const template = { type: "TemplateLiteral", quasis: [{ value: { raw: "The token's claims are invalid: ", cooked: "The token's claims are invalid: " } }, { value: { raw: ".", cooked: "." } }] };
    expect(proseIgnorer.shouldIgnore({ node: template })).toMatch(/^prose/);
    expect(proseIgnorer.shouldIgnore({ node: { type: "StringLiteral", value: "insufficient_scope" } })).toBeUndefined();
    expect(proseIgnorer.shouldIgnore({ node: { type: "Identifier", value: "The access token is bad." } })).toBeUndefined();
  });
});
