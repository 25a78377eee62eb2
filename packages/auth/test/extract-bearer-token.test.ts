import { countingBody } from "@edge-mcp/testing";
import { describe, expect, it } from "vitest";
import { extractBearerToken, InvalidRequestError, MissingTokenError } from "../src/index.ts";
import { rejectionOf } from "./helpers/verifier.ts";

const URL_ = "https://notes-mcp.example.test/mcp";
const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln";

function request(headers: HeadersInit = {}, init: RequestInit & { url?: string } = {}): Request {
  return new Request(init.url ?? URL_, { method: "POST", ...init, headers });
}

describe("extractBearerToken (RFC 6750 §2.1)", () => {
  it.each([
    ["Bearer", `Bearer ${TOKEN}`],
    ["lowercase bearer (the scheme is case-insensitive, RFC 9110 §11.1)", `bearer ${TOKEN}`],
    ["BEARER", `BEARER ${TOKEN}`],
    ["several spaces after the scheme (1*SP)", `Bearer   ${TOKEN}`],
  ])("reads the token from %s", async (_name, header) => {
    expect(await extractBearerToken(request({ authorization: header }))).toBe(TOKEN);
  });

  it("accepts base64 padding and the full b64token alphabet", async () => {
    const token = "abc-._~+/XYZ09==";
    expect(await extractBearerToken(request({ authorization: `Bearer ${token}` }))).toBe(token);
  });

  it.each([
    ["no Authorization header", {}],
    ["an empty Authorization header", { authorization: "" }],
    ["Basic credentials", { authorization: "Basic dXNlcjpwYXNz" }],
    ["a Token scheme", { authorization: `Token ${TOKEN}` }],
  ])("treats %s as no bearer credentials (missing_token)", async (_name, headers) => {
    expect(await rejectionOf(extractBearerToken(request(headers)))).toBeInstanceOf(MissingTokenError);
  });

  it.each([
    ["two Authorization headers", () => {
      const headers = new Headers();
      headers.append("authorization", `Bearer ${TOKEN}`);
      headers.append("authorization", `Bearer ${TOKEN}x`);
      return request(headers);
    }],
    ["the scheme with no token", () => request({ authorization: "Bearer" })],
    ["the scheme and a space only", () => request({ authorization: "Bearer " })],
    ["a colon instead of a space", () => request({ authorization: `Bearer:${TOKEN}` })],
    ["a tab instead of a space", () => request({ authorization: `Bearer\t${TOKEN}` })],
    ["two tokens", () => request({ authorization: `Bearer ${TOKEN} ${TOKEN}` })],
    ["a quoted token", () => request({ authorization: `Bearer "${TOKEN}"` })],
    ["characters outside b64token", () => request({ authorization: "Bearer abc$def" })],
    ["padding in the middle", () => request({ authorization: "Bearer abc=def" })],
    ["a header over 8 KiB", () => request({ authorization: `Bearer ${"a".repeat(8 * 1024)}` })],
    ["a token in the query string", () => request({}, { url: `${URL_}?access_token=${TOKEN}` })],
    ["a token in the query string and the header", () => request({ authorization: `Bearer ${TOKEN}` }, { url: `${URL_}?access_token=${TOKEN}` })],
    ["a token in a form-encoded body (RFC 6750 §2.2)", () =>
      request({ "content-type": "application/x-www-form-urlencoded" }, { body: `access_token=${TOKEN}` })],
  ])("rejects %s with invalid_request", async (_name, build) => {
    const error = await rejectionOf(extractBearerToken(build()));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).not.toContain(TOKEN);
  });

  it("leaves a form body without access_token alone and still readable", async () => {
    const req = request({ "content-type": "application/x-www-form-urlencoded", authorization: `Bearer ${TOKEN}` }, { body: "a=1" });
    expect(await extractBearerToken(req)).toBe(TOKEN);
    expect(await req.text()).toBe("a=1");
  });

  it("honours a smaller maxBytes", async () => {
    const error = await rejectionOf(extractBearerToken(request({ authorization: `Bearer ${TOKEN}` }), { maxBytes: 16 }));
    expect(error).toBeInstanceOf(InvalidRequestError);
  });
});

describe("bounded body reads before authentication (issue 13 §3)", () => {

  it("refuses a 64 MiB chunked form body on DELETE without reading it (400 invalid_request), after at most 16 KiB + one chunk", async () => {
    const { stream, counter } = countingBody(64 * 1024 * 1024);
    const req = new Request(URL_, { method: "DELETE", headers: { "content-type": "application/x-www-form-urlencoded" }, body: stream });
    const error = await rejectionOf(extractBearerToken(req));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toContain("larger than the 16384 bytes accepted before authentication");
    expect(counter.pulled).toBeLessThanOrEqual(16_384 + 2 * 65_536);
  });

  it("refuses a declared Content-Length over the limit before reading a byte", async () => {
    const { stream, counter } = countingBody(1024 * 1024);
    const req = new Request(URL_, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "content-length": String(1024 * 1024) }, body: stream });
    expect(await rejectionOf(extractBearerToken(req))).toBeInstanceOf(InvalidRequestError);
    expect(counter.pulled).toBe(0);
  });

  it("still finds an access_token in a small form body (RFC 6750 §2.2 is refused)", async () => {
    const req = request({ "content-type": "application/x-www-form-urlencoded" }, { body: `access_token=${TOKEN}` });
    expect(((await rejectionOf(extractBearerToken(req))) as Error).message).toContain("not accepted in the request body");
  });
});
