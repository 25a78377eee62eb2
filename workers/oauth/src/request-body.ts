import { readBoundedText } from "@edge-mcp/auth";
import { FACADE_DEFAULTS } from "./config.ts";
import { FacadeError } from "./errors.ts";

/** What an endpoint takes: a form (RFC 6749 §4.1.3, the consent form) or JSON (RFC 7591 §3.1). */
export type BodyKind = "form" | "json";

const TYPES: Record<BodyKind, RegExp> = {
  form: /^application\/x-www-form-urlencoded\s*(;|$)/i,
  json: /^application\/json\s*(;|$)/i,
};

/** A POST whose body was read once, bounded, before anything else looked at it. */
export interface ReadBody {
  /** The same request with the body already read: what the OAuth library is handed. */
  readonly request: Request;
  readonly text: string;
  /** The form fields (form bodies). */
  readonly form?: URLSearchParams;
}

/**
 * Reads an unauthenticated POST body once, bounded, before anything parses it: the content type
 * must be the endpoint's (415), and the body at most `FACADE_DEFAULTS.maxBodyBytes` — by its
 * declared length before a byte is read, and while streaming a chunked one (413). Nobody can make
 * the facade hold a large body in memory before it has decided anything.
 */
export async function readBody(request: Request, kind: BodyKind): Promise<ReadBody> {
  if (!TYPES[kind].test(request.headers.get("content-type") ?? "")) {
    throw new FacadeError("unsupported_media_type", `This endpoint takes ${kind === "form" ? "application/x-www-form-urlencoded" : "application/json"}.`);
  }
  const max = FACADE_DEFAULTS.maxBodyBytes;
  const text = await readBoundedText(request, max, () => new FacadeError("body_too_large", `The request body is larger than ${max} bytes.`));
  const headers = new Headers(request.headers);
  headers.delete("content-length");
  return {
    request: new Request(request.url, { method: request.method, headers, body: text }),
    text,
    ...(kind === "form" ? { form: new URLSearchParams(text) } : {}),
  };
}
