import type { IncomingMessage } from "node:http";

/** How much of a request body the stand-ins read (their forms and JSON bodies are small), in characters. */
const MAX_BODY_CHARS = 16_384;

/** A request body as text; past `MAX_BODY_CHARS` it throws (`what` names it: "form", "body") before reading on. */
export async function readBody(req: IncomingMessage, what: string): Promise<string> {
  let text = "";
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > MAX_BODY_CHARS) throw new Error(`${what} too large`);
  }
  return text;
}
