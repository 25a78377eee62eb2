import { describe, expect, it } from "vitest";
import { connect, type Target } from "./helpers/mcp.ts";
import { token } from "./helpers/tokens.ts";

describe.each<Target>(["stateful", "stateless"])("MCP over Streamable HTTP (%s)", (target) => {
  it("initializes, lists tools and calls one with a real SDK client", async () => {
    const { client } = await connect(target, { token: await token() });
    expect(client.getServerVersion()).toMatchObject({ name: `test-${target}`, version: "1.0.0" });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["echo", "whoami", "bump"]));
    const result = await client.callTool({ name: "echo", arguments: { text: "hi there" } });
    expect(result.content).toEqual([{ type: "text", text: "hi there" }]);
    await client.close();
  });

  it("gives tools the caller's subject, client and scopes — never the token or the Authorization header", async () => {
    const bearer = await token({ sub: "auth0|zoe", client: "cli-z", scopes: ["tools.read", "resources.read"] });
    const { client } = await connect(target, { token: bearer });
    const result = await client.callTool({ name: "whoami", arguments: {} });
    const text = (result.content as Array<{ text: string }>)[0]!.text;
    expect(JSON.parse(text).auth).toEqual({ subject: "auth0|zoe", clientId: "cli-z", scopes: ["tools.read", "resources.read"] });
    expect(text).not.toContain(bearer.split(".")[2]);
    expect(text.toLowerCase()).not.toContain("bearer");
    await client.close();
  });

  it("reads a resource and gets a prompt with the matching read scopes", async () => {
    const { client } = await connect(target, { token: await token({ scopes: ["resources.read", "prompts.read"] }) });
    expect((await client.readResource({ uri: "test://readme" })).contents).toEqual([{ uri: "test://readme", text: "hello" }]);
    expect((await client.getPrompt({ name: "greet" })).messages).toHaveLength(1);
    await client.close();
  });

  it("delivers progress notifications while a tool runs", async () => {
    const { client } = await connect(target, { token: await token() });
    const progress: number[] = [];
    const result = await client.callTool({ name: "count_slowly", arguments: { steps: 3 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(progress).toEqual([1, 2, 3]);
    expect(result.content).toEqual([{ type: "text", text: "counted 3" }]);
    await client.close();
  });
});
