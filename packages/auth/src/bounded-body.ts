const DECIMAL = /^\d{1,15}$/;

/**
 * Reads a body as text, never more than `maxBytes`: refused by `Content-Length` before reading
 * anything; a declared length within the limit is read in one native call (HTTP framing holds the
 * body to it — only code inside the worker could build a request whose stream outruns its header);
 * and while streaming when the length is not declared (chunked) — after no more than the limit
 * plus one chunk. What an unauthenticated request can make an isolate buffer is bounded
 * by this one function (the form-body token check here, and the MCP endpoint's body read).
 */
export async function readBoundedText(request: Request, maxBytes: number, tooLarge: () => Error): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge();
  if (request.body === null) return "";
  // A declared length within the limit: the body is exactly that long (RFC 9112 §6.2 — the runtime
  // reads that many bytes as the message body and no more), so one native read is bounded too.
  if (declared !== null && DECIMAL.test(declared)) return request.text();
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
