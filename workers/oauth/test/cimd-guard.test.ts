import { describe, expect, it } from "vitest";
import { checkClientIdUrl } from "../src/cimd-guard.ts";
import { FacadeError } from "../src/errors.ts";

// draft-ietf-oauth-client-id-metadata-document §6 (SSRF): decided from the URL, before any fetch.
describe("the CIMD client id guard", () => {
  const refused = (url: string, loopback = false) => {
    try {
      checkClientIdUrl(url, loopback);
      return false;
    } catch (error) {
      expect(error).toBeInstanceOf(FacadeError);
      expect((error as FacadeError).code).toBe("client_id_refused");
      return true;
    }
  };

  it("lets a public https document and a registered (non-URL) client id through", () => {
    expect(refused("https://client.example.com/oauth/client.json")).toBe(false);
    expect(refused("b2f0c1d4-registered-client")).toBe(false);
  });

  it.each([
    "http://client.example.com/c.json",
    "https://127.0.0.1/c.json",
    "https://localhost/c.json",
    "https://10.1.2.3/c.json",
    "https://172.20.0.1/c.json",
    "https://192.168.0.10/c.json",
    "https://169.254.169.254/latest/meta-data",
    "https://100.64.0.1/c.json",
    "https://0.0.0.0/c.json",
    "https://[::1]/c.json",
    "https://[fd00::1]/c.json",
    "https://[fe80::1]/c.json",
    "https://[::ffff:10.0.0.1]/c.json",
    "https://metadata.internal/c.json",
    "https://printer.local/c.json",
    "https://intranet/c.json",
    "https://user:pass@client.example.com/c.json",
    "https://client.example.com:8443/c.json",
    "https://localhost./c.json",
    "https://metadata.google.internal./c.json",
    "https://printer.local../c.json",
    "https://198.18.0.1/c.json",
    "https://198.19.255.254/c.json",
    "https://192.0.0.8/c.json",
    "https://192.0.2.1/c.json",
  ])("refuses %s", (url) => {
    expect(refused(url)).toBe(true);
  });

  it("allows loopback documents only when told to (dev and tests)", () => {
    expect(refused("https://localhost:4443/c.json", true)).toBe(false);
    expect(refused("https://127.0.0.1:4443/c.json", true)).toBe(false);
    expect(refused("https://10.0.0.1/c.json", true)).toBe(true);
  });
});
