import { env, exports } from "cloudflare:workers";
import { connectMcp, createTokenFactory, textOf } from "@edge-mcp/testing";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";

const RESOURCE = "https://notes-mcp.example.test/mcp";
const token = createTokenFactory(inject("privateJwk"), { issuer: "https://tenant.example-auth.test/", audience: RESOURCE });
const send = (r: Request) => exports.default.fetch(r);
const as = async (sub: string, scopes = ["tools.read", "tools.write"]) =>
  (await connectMcp({ url: RESOURCE, fetch: send, holder: { token: await token({ sub, scopes }) } })).client;
const notesOf = (result: unknown) => ((result as { structuredContent: { notes: Array<{ title: string }> } }).structuredContent.notes).map((n) => n.title);

describe("notes-mcp", () => {
  it("adds, lists, searches and deletes the caller's notes", async () => {
    const client = await as("auth0|writer");
    const added = await client.callTool({ name: "add_note", arguments: { title: "Groceries", text: "Milk, eggs" } });
    const id = (added.structuredContent as { note: { id: number } }).note.id;
    await client.callTool({ name: "add_note", arguments: { title: "Ideas", text: "An MCP server for 100% of things" } });
    expect(notesOf(await client.callTool({ name: "list_notes", arguments: {} }))).toEqual(["Ideas", "Groceries"]);
    expect(notesOf(await client.callTool({ name: "search_notes", arguments: { query: "EGGS" } }))).toEqual(["Groceries"]);
    expect(notesOf(await client.callTool({ name: "search_notes", arguments: { query: "100%" } }))).toEqual(["Ideas"]);
    expect(notesOf(await client.callTool({ name: "search_notes", arguments: { query: "%" } }))).toEqual(["Ideas"]);
    expect(textOf(await client.callTool({ name: "delete_note", arguments: { id } }))).toBe(`Deleted note #${id}.`);
    expect((await client.callTool({ name: "delete_note", arguments: { id } })).isError).toBe(true);
    expect(notesOf(await client.callTool({ name: "list_notes", arguments: {} }))).toEqual(["Ideas"]);
    await client.close();
  });

  it("never shows user A's notes to user B, by list, search or delete", async () => {
    const alice = await as("auth0|alice-notes");
    const bob = await as("auth0|bob-notes");
    const added = await alice.callTool({ name: "add_note", arguments: { title: "Alice secret", text: "the plan" } });
    const aliceNoteId = (added.structuredContent as { note: { id: number } }).note.id;
    expect(notesOf(await bob.callTool({ name: "list_notes", arguments: {} }))).toEqual([]);
    expect(notesOf(await bob.callTool({ name: "search_notes", arguments: { query: "secret" } }))).toEqual([]);
    expect((await bob.callTool({ name: "delete_note", arguments: { id: aliceNoteId } })).isError).toBe(true);
    expect(notesOf(await alice.callTool({ name: "list_notes", arguments: {} }))).toEqual(["Alice secret"]);
    await alice.close();
    await bob.close();
  });

  it("keeps a user's notes across sessions (they live in the user's store, not the session)", async () => {
    const first = await as("auth0|returning");
    await first.callTool({ name: "add_note", arguments: { title: "Persistent", text: "still here" } });
    await first.close();
    const second = await as("auth0|returning");
    expect(notesOf(await second.callTool({ name: "list_notes", arguments: {} }))).toEqual(["Persistent"]);
    await second.close();
  });

  it("refuses add_note and delete_note to a readonly token with 403 naming tools.write", async () => {
    const reader = await connectMcp({ url: RESOURCE, fetch: send, holder: { token: await token({ sub: "auth0|reader", scopes: ["tools.read"] }) } });
    await expect(reader.client.callTool({ name: "add_note", arguments: { title: "x", text: "y" } })).rejects.toThrow(/403|insufficient_scope|tools\.write/i);
    const ids = await env.NOTES.idFromName("auth0|reader");
    const count = await env.NOTES.get(ids).list(10);
    expect(count).toEqual([]);
    await reader.client.close();
  });
});
