import { inputRequired, inputResponse, type CallToolResult, type ClientCapabilities, type InputRequiredResult, type InputResponses } from "@modelcontextprotocol/server";
import { isDownstreamError } from "../base/downstream-errors.ts";

/** What of a tool call's context the answer needs. */
interface AnswerContext {
  readonly mcpReq: { readonly inputResponses?: InputResponses | Record<string, unknown> };
  readonly clientCapabilities: ClientCapabilities | undefined;
}

function toolError(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}

/**
 * A downstream API a tool could not call as the user, answered as MCP would have it:
 * - an account not connected yet → a URL elicitation to the server's connect flow (MCP URL-mode
 *   elicitation: 2026-07-28 as an input-required result; in a 2025 session the SDK sends it as
 *   `elicitation/create` with `mode: "url"`), and the call runs again once the user answered;
 *   a client that declared no URL elicitation gets a tool error saying where to connect;
 * - anything else → a tool error that says what happened and what to do (no token, no secret).
 * Any other error is rethrown unchanged.
 */
export function answerDownstreamError(error: unknown, ctx: AnswerContext): CallToolResult | InputRequiredResult {
  if (!isDownstreamError(error)) throw error;
  if (error.reason === "not_connected" && error.connectUrl !== undefined) {
    const key = `connect_${error.api}`;
    const answer = inputResponse(ctx.mcpReq.inputResponses, key);
    if (answer.kind === "elicit" && answer.action !== "accept") return toolError(`${error.message} The connection was ${answer.action === "decline" ? "declined" : "cancelled"}: call the tool again to connect.`);
    if ((ctx.clientCapabilities?.elicitation as { url?: unknown } | undefined)?.url !== undefined) {
      return inputRequired({ inputRequests: { [key]: inputRequired.elicitUrl({ message: `${error.message} Open the link, sign in and allow access; this call continues once you are done.`, url: error.connectUrl }) } });
    }
    return toolError(`${error.message} Open ${error.connectUrl} to connect it (the link works for 15 minutes), then call this tool again.`);
  }
  return toolError(error.message);
}
