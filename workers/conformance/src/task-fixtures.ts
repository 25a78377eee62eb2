/**
 * The fixtures of the MCP tasks extension scenarios (SEP-2663, `io.modelcontextprotocol/tasks`,
 * conformance 0.2.0-alpha.12): tools that run as tasks for clients declaring the extension —
 * long, failing, crashing, asking for input — and the MRTR → task composition.
 */
import type { EdgeMcpServer } from "@edge-mcp/server";
import { inputRequired, inputResponse } from "@modelcontextprotocol/server";
import { z } from "zod";

const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] });

/** Resolves after `ms`, or rejects as soon as `signal` aborts (a cancelled task stops working). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error("cancelled"));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), reject(new Error("cancelled"))), { once: true });
  });
}

const confirmSchema = { type: "object" as const, properties: { confirm: { type: "boolean" as const } }, required: ["confirm"] };
const nameSchema = { type: "object" as const, properties: { name: { type: "string" as const } }, required: ["name"] };

export function registerTaskFixtures(mcp: EdgeMcpServer): void {
  mcp.tool("greet", { description: "Greets by name (never a task)", inputSchema: { name: z.string() } }, ({ name }) => text(`Hello, ${name}!`));

  mcp.tool(
    "slow_compute",
    { description: "Sleeps `seconds`, then answers (a task for clients that declare the extension)", inputSchema: { seconds: z.number().min(0).max(600), label: z.string().optional() }, task: "optional" },
    async ({ seconds, label }, extra) => {
      await sleep(seconds * 1000, extra.signal);
      return text(`Computed ${label ?? "result"} after ${seconds} s.`);
    },
  );

  mcp.tool("failing_job", { description: "Reports a tool error after about a second (task required)", task: "required" }, async (extra) => {
    await sleep(1000, extra.signal);
    return { ...text("The job failed: the input was rejected."), isError: true };
  });

  mcp.tool("protocol_error_job", { description: "Crashes after a moment (a protocol-level failure)", task: "optional" }, async (extra) => {
    await sleep(200, extra.signal);
    throw new Error("protocol_error_job crashed");
  });

  mcp.tool(
    "confirm_delete",
    { description: "Asks the user to confirm, then deletes (pretend)", inputSchema: { filename: z.string() }, task: "optional" },
    ({ filename }, extra) => {
      const answer = inputResponse(extra.mcpReq.inputResponses, "confirm");
      if (answer.kind !== "elicit") return inputRequired({ inputRequests: { confirm: inputRequired.elicit({ message: `Delete ${filename}?`, requestedSchema: confirmSchema }) } });
      return text(answer.action === "accept" && answer.content?.confirm === true ? `Deleted ${filename}.` : `Kept ${filename}.`);
    },
  );

  mcp.tool("multi_input", { description: "Asks two questions at once", task: "optional" }, (extra) => {
    const first = inputResponse(extra.mcpReq.inputResponses, "first");
    const second = inputResponse(extra.mcpReq.inputResponses, "second");
    if (first.kind !== "elicit" || second.kind !== "elicit") {
      return inputRequired({
        inputRequests: {
          first: inputRequired.elicit({ message: "First name?", requestedSchema: nameSchema }),
          second: inputRequired.elicit({ message: "Second name?", requestedSchema: nameSchema }),
        },
      });
    }
    return text(`Got ${String(first.content?.name)} and ${String(second.content?.name)}.`);
  });

  // MRTR first (no task yet), then the task: the handle goes out when the handler starts it.
  mcp.tool("test_tool_with_task", { description: "Asks your name, then works on it as a task", task: { support: "required", handle: "on-start" } }, async (extra) => {
    const answer = inputResponse(extra.mcpReq.inputResponses, "user_name");
    if (answer.kind !== "elicit") return inputRequired({ inputRequests: { user_name: inputRequired.elicit({ message: "What is your name?", requestedSchema: nameSchema }) } });
    await extra.task.start();
    await sleep(300, extra.signal);
    return text(`Finished the task for ${String(answer.content?.name ?? "someone")}.`);
  });
}
