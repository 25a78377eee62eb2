/**
 * A tool calling GitHub as the user through a connected account (issue 25 §3, §7): Token Vault at
 * the real local authorization server; an account not connected yet is asked for with a URL
 * elicitation — in MCP 2026-07-28 (input required) and in a 2025 session (`elicitation/create`,
 * mode `url`) — the SDK client follows it as the user's browser would, and the same call succeeds.
 */
import { describe, expect, it } from "vitest";
import { connectInBrowser, modernClient, sessionClient, textOf, userToken } from "./helpers.ts";

const URL_ELICITATION = { elicitation: { url: {} } };

describe("my_repos: GitHub through a connected account (Token Vault)", () => {
  it("2026-07-28: asks the user to connect with a URL elicitation, then the same call succeeds", async () => {
    const client = await modernClient(await userToken("dev|alice"), URL_ELICITATION);
    const asked: Array<{ mode?: string; url?: string; message?: string }> = [];
    client.setRequestHandler("elicitation/create", async (request) => {
      const params = request.params as { mode?: string; url?: string; message?: string };
      asked.push(params);
      const page = await connectInBrowser(params.url!, "dev|alice");
      expect(page.html).toContain("Your github account is connected");
      return { action: "accept" };
    });
    const result = await client.callTool({ name: "my_repos", arguments: {} });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ mode: "url" });
    expect(asked[0]!.url).toMatch(/^https:\/\/concierge-mcp\.example\.test\/connect\/github\?ticket=/);
    expect(result.isError).not.toBe(true);
    expect(JSON.parse(textOf(result))).toEqual(expect.arrayContaining([expect.objectContaining({ name: "dev-alice-notes" })]));
    // Connected once: the next call asks nothing.
    expect(JSON.parse(textOf(await client.callTool({ name: "github_profile", arguments: {} })))).toMatchObject({ login: "dev-alice" });
    expect(asked).toHaveLength(1);
  });

  it("2025 session: the same through elicitation/create in URL mode, where the client declared it", async () => {
    const { client } = await sessionClient(await userToken("dev|bob"), URL_ELICITATION);
    const { ElicitRequestSchema } = await import("@modelcontextprotocol/sdk/types.js");
    const modes: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      const params = request.params as { mode?: string; url?: string };
      modes.push(String(params.mode));
      await connectInBrowser(params.url!, "dev|bob");
      return { action: "accept" };
    });
    const result = await client.callTool({ name: "github_profile", arguments: {} });
    expect(modes).toEqual(["url"]);
    expect(JSON.parse(textOf(result))).toMatchObject({ login: "dev-bob" });
  });

  it("tells a client without URL elicitation where to connect, as a tool error", async () => {
    const client = await modernClient(await userToken("dev|noelicit"));
    const result = await client.callTool({ name: "my_repos", arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Connect your github account to use "github"\. Open https:\/\/concierge-mcp\.example\.test\/connect\/github\?ticket=\S+ to connect it/);
  });

  it("says so when the user declines to connect, without asking again in that call", async () => {
    const client = await modernClient(await userToken("dev|decliner"), URL_ELICITATION);
    let asked = 0;
    client.setRequestHandler("elicitation/create", () => (asked++, { action: "decline" }));
    const result = await client.callTool({ name: "my_repos", arguments: {} });
    expect(asked).toBe(1);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("declined");
  });

  it("never connects the account to another user than the one the link was made for", async () => {
    const client = await modernClient(await userToken("dev|victim"));
    const link = /Open (\S+) to connect/.exec(textOf(await client.callTool({ name: "my_repos", arguments: {} })))![1]!;
    // Someone else signs in with the victim's link (a shared or phished link).
    const page = await connectInBrowser(link, "dev|alice");
    expect(page.status).toBe(403);
    expect(page.html).toContain("different user");
    const again = await client.callTool({ name: "my_repos", arguments: {} });
    expect(textOf(again)).toContain("Connect your github account");
  });

  it("refuses an altered connect link", async () => {
    const client = await modernClient(await userToken("dev|tamper"));
    const link = /Open (\S+) to connect/.exec(textOf(await client.callTool({ name: "my_repos", arguments: {} })))![1]!;
    const altered = link.replace(/ticket=([A-Za-z0-9_-]+)\./, (_, payload: string) => `ticket=${payload.slice(0, -2)}AA.`);
    const page = await connectInBrowser(altered, "dev|tamper");
    expect(page.status).toBe(400);
  });
});
