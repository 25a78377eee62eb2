import { SERVER_DEFAULTS } from "../base/defaults.ts";
import { BodyTooLargeError, InvalidJsonRpcRequestError, MethodNotAllowedError, UnsupportedMediaTypeError } from "../base/errors.ts";

/**
 * What an MCP request must pass before its token is even read (nothing unauthenticated is
 * read): the method the transport serves (405), no body on GET or DELETE (a 64 MiB one is refused
 * unread), a JSON Content-Type (415) and a declared size within bounds (413).
 */
export function checkBeforeAuth(request: Request, transport: "stateful" | "stateless"): void {
  const method = request.method;
  const allow = transport === "stateful" ? "GET, POST, DELETE" : "POST";
  if (!allow.split(", ").includes(method)) {
    throw new MethodNotAllowedError(allow, `${method} is not supported on the MCP endpoint${transport === "stateless" ? " of a stateless server" : ""}.`);
  }
  if (method !== "POST" && carriesBody(request)) throw new InvalidJsonRpcRequestError(`Invalid Request: ${method} requests to the MCP endpoint must not carry a body.`);
  if (method === "POST") {
    const type = request.headers.get("content-type") ?? "";
    if (!/^application\/json\s*(;|$)/i.test(type)) throw new UnsupportedMediaTypeError("Content-Type must be application/json.");
    const declared = request.headers.get("content-length");
    if (declared !== null && Number(declared) > SERVER_DEFAULTS.maxBodyBytes) {
      throw new BodyTooLargeError(`Request body is larger than ${SERVER_DEFAULTS.maxBodyBytes} bytes.`);
    }
  }
}

/** Whether a request has a body: a non-zero Content-Length, or a stream without one (chunked). */
function carriesBody(request: Request): boolean {
  const declared = request.headers.get("content-length");
  return declared === null ? request.body !== null : declared.trim() !== "0";
}
