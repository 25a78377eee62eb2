import { PROTOCOL_VERSION_META_KEY } from "@modelcontextprotocol/server";
import type { CallerIdentity } from "../base/caller.ts";
import { messagesFrom } from "../http/jsonrpc.ts";
import type { createModernEra } from "./modern-era.ts";
import type { RoundControl, RoundOutcome, RunRound } from "../tasks/task-runner.ts";

type Round = Parameters<RunRound>[0];

/**
 * One round of a task, inside its Durable Object: the original `tools/call` (plus the answers
 * and MRTR state gathered so far) served by the same 2026-07-28 pipeline as any call — argument
 * validation, the requestState check, the tool's scope check and audit line — answered in one
 * JSON body, whose `result` or `error` is the round's outcome. The caller is the one who created
 * or last updated the task, so refreshed scopes apply.
 */
export async function runTaskRound<Env>(modern: ReturnType<typeof createModernEra<Env>>, env: Env, resource: string, round: Round, caller: CallerIdentity, control: RoundControl): Promise<RoundOutcome> {
  const params = {
    name: round.name,
    ...(round.arguments === undefined ? {} : { arguments: round.arguments }),
    ...(round.inputResponses === undefined ? {} : { inputResponses: round.inputResponses }),
    ...(round.requestState === undefined ? {} : { requestState: round.requestState }),
    _meta: round.meta,
  };
  const body = { jsonrpc: "2.0" as const, id: 1, method: "tools/call", params };
  const request = new Request(resource, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": String(round.meta[PROTOCOL_VERSION_META_KEY] ?? ""),
      "mcp-method": "tools/call",
      "mcp-name": round.name,
    },
    body: JSON.stringify(body),
    signal: control.signal,
  });
  const response = await modern.serve(request, env, body, messagesFrom(body, { allowBatch: false }), caller, { ...control, tool: round.name });
  const message = (await response.json()) as { result?: Record<string, unknown>; error?: { code: number; message: string; data?: unknown } };
  if (message.error !== undefined) return { error: { code: message.error.code, message: message.error.message, ...(message.error.data === undefined ? {} : { data: message.error.data }) } };
  if (message.result !== undefined) return { result: message.result };
  return { error: { code: -32603, message: "Internal error" } };
}
