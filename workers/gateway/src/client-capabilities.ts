import { TASKS_EXTENSION } from "@edge-mcp/server";

/**
 * What a backend is told the client supports, on every relayed path (a 2026-07-28 call forwarded
 * as it is, and every request the gateway builds — a 2025 session's calls, listings, prompts):
 * the client's own capabilities without the tasks extension. The gateway does not serve `tasks/get`,
 * `tasks/update` or `tasks/cancel` (it does not advertise the extension), so a backend must never
 * answer with a task handle the client could not poll: it answers the call directly instead (or
 * -32021 for a tool that runs only as a task).
 */
export function capabilitiesForBackend(capabilities: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const given = capabilities ?? {};
  const extensions = given.extensions as Record<string, unknown> | undefined;
  if (extensions === undefined || typeof extensions !== "object" || !(TASKS_EXTENSION in extensions)) return { ...given };
  const { [TASKS_EXTENSION]: _tasks, ...kept } = extensions;
  return { ...given, extensions: kept };
}
