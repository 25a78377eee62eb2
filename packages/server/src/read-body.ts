import { BodyTooLargeError } from "./errors.ts";

/**
 * Reads a request body as text, refusing more than `maxBytes`: by `Content-Length` before
 * reading anything, and while streaming when the length is not declared (chunked).
 */
export async function readBodyWithLimit(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => new BodyTooLargeError(`Request body is larger than ${maxBytes} bytes.`);
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge();
  if (request.body === null) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
