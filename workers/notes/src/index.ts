import { createMcpWorker } from "@edge-mcp/server";
import { z } from "zod";
import manifest from "../mcp.json" with { type: "json" };
import { MAX_NOTE_CHARS, storeFor, type Note, type NotesEnv } from "./notes-store.ts";

const asText = (notes: Note[]) =>
  notes.length === 0 ? "No notes." : notes.map((n) => `#${n.id} ${n.title} (${n.createdAt})\n${n.text}`).join("\n\n");

/** notes-mcp: per-user notes. Adding and deleting need `tools.write`; reading needs `tools.read`. */
const worker = createMcpWorker<NotesEnv>({
  name: "notes",
  version: "1.0.0",
  transport: "stateful",
  // Its tool list is the same for every caller: clients and the gateway may cache it for a minute.
  cacheHints: { "tools/list": { ttlMs: 60_000, cacheScope: "public" } },
  rateLimit: manifest.rateLimit,
  instructions: "Personal notes of the signed-in user. Use search_notes before adding duplicates.",
  setup(mcp, { env }) {
    mcp.tool(
      "add_note",
      {
        description: "Save a note for the signed-in user.",
        inputSchema: { title: z.string().min(1).max(200), text: z.string().min(1).max(MAX_NOTE_CHARS) },
        annotations: { readOnlyHint: false, destructiveHint: false },
        scopes: ["tools.write"],
      },
      async ({ title, text }, extra) => {
        const note = await storeFor(env, extra.auth.subject).add(title, text);
        return { content: [{ type: "text", text: `Saved note #${note.id}.` }], structuredContent: { note } };
      },
    );
    mcp.tool(
      "list_notes",
      { description: "The signed-in user's most recent notes.", inputSchema: { limit: z.number().int().min(1).max(100).default(20) }, annotations: { readOnlyHint: true } },
      async ({ limit }, extra) => {
        const notes = await storeFor(env, extra.auth.subject).list(limit);
        return { content: [{ type: "text", text: asText(notes) }], structuredContent: { notes } };
      },
    );
    mcp.tool(
      "search_notes",
      {
        description: "Search the signed-in user's notes (case-insensitive, title and text).",
        inputSchema: { query: z.string().min(1).max(200), limit: z.number().int().min(1).max(100).default(20) },
        annotations: { readOnlyHint: true },
      },
      async ({ query, limit }, extra) => {
        const notes = await storeFor(env, extra.auth.subject).search(query, limit);
        return { content: [{ type: "text", text: asText(notes) }], structuredContent: { notes } };
      },
    );
    mcp.tool(
      "delete_note",
      {
        description: "Delete one of the signed-in user's notes by id.",
        inputSchema: { id: z.number().int().positive() },
        annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
        scopes: ["tools.write"],
      },
      async ({ id }, extra) => {
        const deleted = await storeFor(env, extra.auth.subject).delete(id);
        return deleted
          ? { content: [{ type: "text", text: `Deleted note #${id}.` }] }
          : { isError: true, content: [{ type: "text", text: `No note #${id}.` }] };
      },
    );
  },
});

export default { fetch: worker.fetch };
/** The RPC entrypoint an edge-mcp gateway calls through a service binding (not reachable from the internet). */
export const McpBackend = worker.McpBackend;
export const McpSession = worker.McpSession;
export { NotesStore } from "./notes-store.ts";
export { McpEventBus, RateLimitCounter } from "@edge-mcp/server";
