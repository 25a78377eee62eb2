import type { McpServer } from "@modelcontextprotocol/server";

/**
 * The lists that can change, by the event kind that names the change (on the event bus and
 * `subscriptions/listen`), and the SDK call that tells a 2025 session of it
 * (`notifications/{tools,prompts,resources}/list_changed`).
 */
export const LIST_CHANGED_SENDERS = {
  tools_list_changed: "sendToolListChanged",
  prompts_list_changed: "sendPromptListChanged",
  resources_list_changed: "sendResourceListChanged",
} as const;

export type ListChange = keyof typeof LIST_CHANGED_SENDERS;

export const LIST_CHANGES = Object.keys(LIST_CHANGED_SENDERS) as ListChange[];

export function isListChange(kind: string): kind is ListChange {
  return Object.hasOwn(LIST_CHANGED_SENDERS, kind);
}

/** Tells a session's client that one of its lists changed (nothing when the server is not connected). */
export function sendListChanged(server: McpServer, change: ListChange): void {
  server[LIST_CHANGED_SENDERS[change]]();
}
