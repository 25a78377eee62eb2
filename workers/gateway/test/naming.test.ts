import { describe, expect, it } from "vitest";
import { exposedName, routingTable } from "../src/naming.ts";

describe("gateway tool names", () => {
  it("names a backend tool {backend}__{tool}, or by its alias", () => {
    expect(exposedName("notes", "add_note", {})).toBe("notes__add_note");
    expect(exposedName("notes", "add_note", { "notes.add_note": "remember" })).toBe("remember");
  });

  it("leaves out a name over 128 characters instead of cutting it (MCP tool names)", () => {
    expect(exposedName("notes", "x".repeat(122), {})).toBeUndefined();
    expect(exposedName("notes", "x".repeat(121), {})).toHaveLength(128);
  });

  it("routes a name two tools claim to neither of them", () => {
    const table = routingTable(
      [
        { backend: "notes", tool: "echo" },
        { backend: "hello", tool: "echo" },
        { backend: "hello", tool: "time" },
      ],
      { "hello.time": "notes__echo" },
    );
    expect(table.has("notes__echo")).toBe(false);
    expect(table.get("hello__echo")).toEqual({ backend: "hello", tool: "echo" });
  });

  it("keeps backend and tool apart even when a tool name contains __", () => {
    const table = routingTable([{ backend: "a", tool: "b__c" }, { backend: "a-b", tool: "c" }], {});
    expect(table.get("a__b__c")).toEqual({ backend: "a", tool: "b__c" });
    expect(table.get("a-b__c")).toEqual({ backend: "a-b", tool: "c" });
  });
});
