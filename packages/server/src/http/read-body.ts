import { readBoundedText } from "@edge-mcp/auth";
import { BodyTooLargeError } from "../base/errors.ts";

/**
 * Reads a request body as text, refusing more than `maxBytes` (413): by `Content-Length` before
 * reading anything, and while streaming when the length is not declared (chunked).
 */
export function readBodyWithLimit(request: Request, maxBytes: number): Promise<string> {
  return readBoundedText(request, maxBytes, () => new BodyTooLargeError(`Request body is larger than ${maxBytes} bytes.`));
}
