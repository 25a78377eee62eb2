import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CIMD_HOST, CIMD_REDIRECT } from "./fixtures/cimd-documents.ts";

const ISSUER = "https://auth.example.test";
const NOTES = "https://notes-mcp.example.test/mcp";

async function authorize(clientId: string): Promise<Response> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("v".repeat(43)));
  const challenge = btoa(String.fromCharCode(...new Uint8Array(digest))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const url = new URL("/authorize", ISSUER);
  for (const [k, v] of Object.entries({ client_id: clientId, response_type: "code", redirect_uri: CIMD_REDIRECT, resource: NOTES, scope: "tools.read", state: "s", code_challenge: challenge, code_challenge_method: "S256" })) {
    url.searchParams.set(k, v);
  }
  return exports.default.fetch(new Request(url, { redirect: "manual" }));
}

// draft-ietf-oauth-client-id-metadata-document-00 §4 (the document and its client_id), §6 (fetching it).
describe("Client ID Metadata Document clients at the facade", () => {
  it("fetches a published document and shows its verified domain on the consent page", async () => {
    const res = await authorize(`${CIMD_HOST}/good.json`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("CIMD Test Client");
    expect(html).toContain("Published by <strong>cimd.example.com</strong>");
    expect(html).not.toContain("not verified");
  });

  it.each([
    ["names another client_id", "/other-id.json"],
    ["is larger than 5 KB", "/huge.json"],
    ["is not JSON", "/not-json.json"],
    ["redirects to a document for another client_id", "/redirect.json"],
    ["redirects at all, even to a document naming the original URL (no redirect is followed)", "/redirect-to-self.json"],
    ["answers 404", "/gone.json"],
  ])("refuses a document that %s, on a page and without redirecting", async (_case, path) => {
    const res = await authorize(`${CIMD_HOST}${path}`);
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(await res.text()).toContain("could not be verified");
  });

  it("gives up on a document that does not arrive within 10 s", async () => {
    const started = Date.now();
    const res = await authorize(`${CIMD_HOST}/slow.json`);
    expect(res.status).toBe(400);
    expect(Date.now() - started).toBeLessThan(10_900);
  }, 20_000);

  it("refuses a redirect_uri the document does not list", async () => {
    const url = new URL("/authorize", ISSUER);
    for (const [k, v] of Object.entries({ client_id: `${CIMD_HOST}/good.json`, response_type: "code", redirect_uri: "https://attacker.example/cb", resource: NOTES, code_challenge: "x".repeat(43), code_challenge_method: "S256" })) {
      url.searchParams.set(k, v);
    }
    const res = await exports.default.fetch(new Request(url, { redirect: "manual" }));
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
  });
});
