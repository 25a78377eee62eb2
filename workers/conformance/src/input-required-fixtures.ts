/**
 * The MCP 2026-07-28 conformance fixtures for multi round-trip requests (SEP-2322): tools and a
 * prompt that answer `input_required` and complete when retried with the answers. Written once
 * for both eras, like any edge-mcp tool; state travels in signed, expiring `requestState`.
 */
import type { EdgeMcpServer } from "@edge-mcp/server";
import { inputRequired, inputResponse } from "@modelcontextprotocol/server";

const askName = (message: string) =>
  inputRequired.elicit({ message, requestedSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] } });
const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] });

export function registerInputRequiredFixtures(mcp: EdgeMcpServer): void {
  mcp.tool("test_input_required_result_elicitation", { description: "Asks the user's name (MRTR)" }, (extra) => {
    const answer = inputResponse(extra.mcpReq.inputResponses, "user_name");
    if (answer.kind !== "elicit") return inputRequired({ inputRequests: { user_name: askName("What is your name?") } });
    return text(`Hello, ${String(answer.content?.name ?? "there")}!`);
  });

  mcp.tool("test_input_required_result_sampling", { description: "Asks the model (MRTR)" }, (extra) => {
    const answer = inputResponse(extra.mcpReq.inputResponses, "capital_question");
    if (answer.kind !== "sampling") {
      return inputRequired({
        inputRequests: {
          capital_question: inputRequired.createMessage({ messages: [{ role: "user", content: { type: "text", text: "What is the capital of France?" } }], maxTokens: 100 }),
        },
      });
    }
    const content = Array.isArray(answer.result.content) ? answer.result.content[0] : answer.result.content;
    return text(`The model said: ${content?.type === "text" ? content.text : "(no text)"}`);
  });

  mcp.tool("test_input_required_result_list_roots", { description: "Asks for the client's roots (MRTR)" }, (extra) => {
    const answer = inputResponse(extra.mcpReq.inputResponses, "client_roots");
    if (answer.kind !== "roots") return inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
    return text(`Roots: ${answer.roots.map((r) => r.uri).join(", ") || "(none)"}`);
  });

  for (const name of ["test_input_required_result_request_state", "test_input_required_result_tampered_state"]) {
    mcp.tool(name, { description: "Confirms with signed requestState (MRTR)" }, async (extra) => {
      const state = extra.requestState.read<{ step: string }>();
      const answer = inputResponse(extra.mcpReq.inputResponses, "confirm");
      if (state?.step !== "confirm" || answer.kind !== "elicit") {
        return inputRequired({
          inputRequests: { confirm: inputRequired.elicit({ message: "Please confirm", requestedSchema: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] } }) },
          requestState: await extra.requestState.mint({ step: "confirm" }),
        });
      }
      return text(`state-ok: confirmed=${String(answer.content?.ok ?? false)}`);
    });
  }

  mcp.tool("test_input_required_result_multiple_inputs", { description: "Asks three things at once (MRTR)" }, async (extra) => {
    const responses = extra.mcpReq.inputResponses;
    const name = inputResponse(responses, "user_name");
    const greeting = inputResponse(responses, "greeting");
    const roots = inputResponse(responses, "client_roots");
    if (extra.requestState.read() === undefined || name.kind !== "elicit" || greeting.kind !== "sampling" || roots.kind !== "roots") {
      return inputRequired({
        inputRequests: {
          user_name: askName("What is your name?"),
          greeting: inputRequired.createMessage({ messages: [{ role: "user", content: { type: "text", text: "Generate a greeting" } }], maxTokens: 50 }),
          client_roots: inputRequired.listRoots(),
        },
        requestState: await extra.requestState.mint({ step: "all" }),
      });
    }
    return text(`Got name ${String(name.content?.name ?? "")}, a greeting and ${roots.roots.length} root(s).`);
  });

  mcp.tool("test_input_required_result_multi_round", { description: "Two rounds of questions (MRTR)" }, async (extra) => {
    const state = extra.requestState.read<{ round: number; name?: string }>();
    if (state?.round === 1) {
      const step1 = inputResponse(extra.mcpReq.inputResponses, "step1");
      if (step1.kind === "elicit") {
        return inputRequired({
          inputRequests: {
            step2: inputRequired.elicit({ message: "Step 2: What is your favorite color?", requestedSchema: { type: "object", properties: { color: { type: "string" } }, required: ["color"] } }),
          },
          requestState: await extra.requestState.mint({ round: 2, name: String(step1.content?.name ?? "") }),
        });
      }
    }
    if (state?.round === 2) {
      const step2 = inputResponse(extra.mcpReq.inputResponses, "step2");
      if (step2.kind === "elicit") return text(`${state.name ?? ""} likes ${String(step2.content?.color ?? "")}.`);
    }
    return inputRequired({ inputRequests: { step1: askName("Step 1: What is your name?") }, requestState: await extra.requestState.mint({ round: 1 }) });
  });

  mcp.server.registerPrompt("test_input_required_result_prompt", { description: "A prompt that asks for context first (MRTR)" }, (ctx) => {
    const answer = inputResponse(ctx.mcpReq.inputResponses, "user_context");
    if (answer.kind !== "elicit") {
      return inputRequired({
        inputRequests: {
          user_context: inputRequired.elicit({ message: "What context should the prompt use?", requestedSchema: { type: "object", properties: { context: { type: "string" } }, required: ["context"] } }),
        },
      });
    }
    return { messages: [{ role: "user", content: { type: "text", text: `Use this context: ${String(answer.content?.context ?? "")}` } }] };
  });
}
