import { describe, expect, it } from "vitest";
import { createPkce, openSealed, randomToken, seal } from "../src/index.ts";

const KEY = "a-test-key-of-at-least-thirty-two-characters";

describe("sealed values (browser-held cookies)", () => {
  it("opens what it sealed, for the same purpose, before it expires", async () => {
    const sealed = await seal(KEY, "session", { token: "t" }, Date.now() + 60_000);
    expect(await openSealed(KEY, "session", sealed)).toMatchObject({ token: "t" });
    expect(sealed).not.toContain("t\"");
  });

  it("refuses a value sealed for another purpose (sign-in state replayed as a session)", async () => {
    const sealed = await seal(KEY, "sign-in", { state: "s" }, Date.now() + 60_000);
    expect(await openSealed(KEY, "session", sealed)).toBeUndefined();
  });

  it("refuses an altered value, one sealed with another key, an expired one and garbage", async () => {
    const sealed = await seal(KEY, "connect", { a: 1 }, Date.now() + 60_000);
    const flipped = `${sealed.slice(0, 20)}${sealed[20] === "A" ? "B" : "A"}${sealed.slice(21)}`;
    expect(await openSealed(KEY, "connect", flipped)).toBeUndefined();
    expect(await openSealed(`${KEY}-other`, "connect", sealed)).toBeUndefined();
    expect(await openSealed(KEY, "connect", await seal(KEY, "connect", { a: 1 }, Date.now() - 1))).toBeUndefined();
    expect(await openSealed(KEY, "connect", "not base64url!")).toBeUndefined();
    expect(await openSealed(KEY, "connect", "x".repeat(9000))).toBeUndefined();
  });
});

describe("PKCE (RFC 7636)", () => {
  it("sends the S256 of the verifier it keeps", async () => {
    const { verifier, challenge } = await createPkce();
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
    expect(challenge).toBe(btoa(String.fromCharCode(...digest)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(randomToken()).not.toBe(randomToken());
  });
});
