/**
 * `sessionSetup: "per-request"` (session-setup.ts): a 2025 session whose setup runs again before
 * each request. A real SDK server and a real 2025 client over an in-memory transport pair.
 */
import { McpServer } from "@modelcontextprotocol/server";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { PromptListChangedNotificationSchema, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { createSessionSetup } from "../src/mcp/session-setup.ts";

/** What the session offers right now, changed by the test between requests (a gateway's rules). */
interface Offer {
  tools: string[];
  toolDescription?: string;
  /** The tools' input: a zod shape (what a tool author writes). */
  argument?: "text" | "count";
  gate?: Promise<void>;
}

async function session(offer: Offer) {
  const server = new McpServer({ name: "per-request", version: "1" });
  const sessionSetup = createSessionSetup(server);
  const setup = async (mcp: McpServer) => {
    const tools = [...offer.tools];
    const description = offer.toolDescription;
    const inputSchema = offer.argument === undefined ? undefined : z.object(offer.argument === "text" ? { text: z.string() } : { count: z.number() });
    await offer.gate;
    for (const name of tools) mcp.registerTool(name, { description: description ?? `the ${name} tool`, ...(inputSchema === undefined ? {} : { inputSchema }) }, () => ({ content: [{ type: "text" as const, text: name }] }));
    mcp.registerPrompt("greeting", { description: "always offered" }, () => ({ messages: [{ role: "user" as const, content: { type: "text" as const, text: "hi" } }] }));
  };
  const refresh = async () => {
    const { recorder, commit } = sessionSetup.record();
    await setup(recorder);
    commit();
  };
  await refresh(); // at initialize
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "legacy", version: "1" });
  const heard = { tools: 0, prompts: 0 };
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void heard.tools++);
  client.setNotificationHandler(PromptListChangedNotificationSchema, () => void heard.prompts++);
  await client.connect(clientSide);
  const names = async () => (await client.listTools()).tools.map((t) => t.name).sort();
  return { client, heard, refresh, names, close: () => client.close() };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** Starts a refresh whose setup is still running (held at `offer.gate`) until `finish()`. */
async function refreshHeldOpen(s: { refresh(): Promise<void> }, offer: Offer) {
  let release!: () => void;
  offer.gate = new Promise((resolve) => (release = resolve));
  const refreshing = s.refresh();
  await settle();
  return { finish: () => (release(), refreshing) };
}

describe("a session whose setup runs again before each request", () => {
  it("offers what setup registers now, and tells the client once per changed list — never when nothing changed", async () => {
    const offer: Offer = { tools: ["a", "b"] };
    const s = await session(offer);
    expect(await s.names()).toEqual(["a", "b"]);

    await s.refresh();
    await settle();
    expect(s.heard).toEqual({ tools: 0, prompts: 0 });

    offer.tools = ["a", "c"];
    await s.refresh();
    await vi.waitFor(() => expect(s.heard.tools).toBe(1));
    expect(await s.names()).toEqual(["a", "c"]);
    expect(s.heard.prompts).toBe(0); // the prompts it re-registered are the same ones

    // A description is part of what a client lists (MCP 2025-11-25 server/tools: list_changed when the list changes).
    offer.toolDescription = "now described differently";
    await s.refresh();
    await vi.waitFor(() => expect(s.heard.tools).toBe(2));

    // So is its input schema: the same tools with another argument are a changed list.
    offer.argument = "text";
    await s.refresh();
    await vi.waitFor(() => expect(s.heard.tools).toBe(3));
    await s.refresh();
    offer.argument = "count";
    await s.refresh();
    await vi.waitFor(() => expect(s.heard.tools).toBe(4));
    expect(Object.keys((await s.client.listTools()).tools[0]!.inputSchema.properties ?? {})).toEqual(["count"]);
    await s.close();
  });

  it("offers tools later although the first setup registered none (the SDK declares capabilities only before connecting)", async () => {
    const offer: Offer = { tools: [] };
    const s = await session(offer);
    expect(await s.names()).toEqual([]);
    offer.tools = ["granted"];
    await s.refresh();
    expect(await s.names()).toEqual(["granted"]);
    await vi.waitFor(() => expect(s.heard.tools).toBe(1));
    await s.close();
  });

  it("a tool the last setup left out is unknown: calling it is a JSON-RPC error, not a tool run", async () => {
    const offer: Offer = { tools: ["keep", "revoked"] };
    const s = await session(offer);
    expect(await s.client.callTool({ name: "revoked", arguments: {} })).toMatchObject({ content: [{ text: "revoked" }] });
    offer.tools = ["keep"];
    await s.refresh();
    await expect(s.client.callTool({ name: "revoked", arguments: {} })).rejects.toMatchObject({ code: -32602 });
    expect(await s.client.callTool({ name: "keep", arguments: {} })).toMatchObject({ content: [{ text: "keep" }] });
    await s.close();
  });

  it("a request served while setup is still running sees the previous set whole, never a half-built one", async () => {
    const offer: Offer = { tools: ["a", "b"] };
    const s = await session(offer);
    offer.tools = ["c"];
    const running = await refreshHeldOpen(s, offer);
    expect(await s.names()).toEqual(["a", "b"]);
    expect(await s.client.callTool({ name: "b", arguments: {} })).toMatchObject({ content: [{ text: "b" }] });
    await running.finish();
    expect(await s.names()).toEqual(["c"]);
    await s.close();
  });

  it("drops a setup that started before the one already applied: what a session offers never goes back (a revoked tool stays revoked)", async () => {
    const offer: Offer = { tools: ["revoked", "kept"] };
    const s = await session(offer);
    const stale = await refreshHeldOpen(s, offer); // decided on the old offer, still running
    offer.gate = undefined;
    offer.tools = ["kept"];
    await s.refresh(); // started later, done first
    expect(await s.names()).toEqual(["kept"]);
    await stale.finish();
    expect(await s.names()).toEqual(["kept"]);
    await expect(s.client.callTool({ name: "revoked", arguments: {} })).rejects.toMatchObject({ code: -32602 });
    await s.close();
  });

  it("hands setup inert registration handles: they are replaced at every request, so changing one later throws", async () => {
    const server = new McpServer({ name: "per-request", version: "1" });
    const { recorder } = createSessionSetup(server).record();
    const handle = recorder.registerTool("t", { description: "t" }, () => ({ content: [] }));
    expect(() => handle.remove()).toThrow(TypeError);
    expect(() => handle.disable()).toThrow(/per-request/);
  });
});
