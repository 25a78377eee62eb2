/**
 * Spans for the stages of a request (issue 26 §1), through the injectable seam (`tracer`): local
 * workerd runs Workers' own `tracing.enterSpan` callbacks but records nothing, so a recorder stands
 * in. Authentication, then dispatch (era, method), with the tool inside it; never arguments.
 */
import { env, tracing } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createMcpWorker, WORKERS_TRACER, type Tracer } from "../src/index.ts";
import { MODERN } from "./helpers/modern.ts";
import { RESOURCE, token } from "./helpers/tokens.ts";

function recorder() {
  const events: string[] = [];
  const attributes: Record<string, Record<string, unknown>> = {};
  const tracer: Tracer = {
    enterSpan(name, callback) {
      events.push(`enter ${name}`);
      const span = { setAttribute: (key: string, value: string | number | boolean) => void ((attributes[name] ??= {})[key] = value) };
      const result = callback(span);
      if (result instanceof Promise) return result.finally(() => events.push(`exit ${name}`)) as typeof result;
      events.push(`exit ${name}`);
      return result;
    },
  };
  return { tracer, events, attributes };
}

function workerWith(tracer: Tracer) {
  return createMcpWorker({
    name: "traced",
    version: "1",
    transport: "stateless",
    responseMode: "json",
    audit: false,
    tracer,
    setup(mcp) {
      mcp.tool("echo", { description: "Echo", inputSchema: { text: z.string() } }, ({ text }) => ({ content: [{ type: "text", text }] }));
    },
  });
}

async function call(worker: ReturnType<typeof workerWith>, era: "modern" | "legacy"): Promise<Response> {
  const bearer = await token({ sub: "auth0|traced" });
  const params = { name: "echo", arguments: { text: "secret argument" } };
  const modern = era === "modern";
  return worker.fetch(
    new Request(RESOURCE, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${bearer}`, "mcp-protocol-version": modern ? MODERN : "2025-11-25", ...(modern ? { "mcp-method": "tools/call", "mcp-name": "echo" } : {}) },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: modern ? { ...params, _meta: { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {} } } : params }),
    }),
    env as never,
  );
}

describe("spans of a request's stages", () => {
  it.each(["modern", "legacy"] as const)("%s: authentication, then dispatch with the tool inside it, named by era, method and tool — never the arguments", async (era) => {
    const { tracer, events, attributes } = recorder();
    const res = await call(workerWith(tracer), era);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("secret argument");
    expect(events).toEqual(["enter mcp.authenticate", "exit mcp.authenticate", "enter mcp.dispatch", "enter mcp.tool", "exit mcp.tool", "exit mcp.dispatch"]);
    expect(attributes["mcp.dispatch"]).toEqual({ "mcp.era": era, "mcp.method": "tools/call" });
    expect(attributes["mcp.tool"]).toEqual({ "mcp.tool.name": "echo" });
    expect(JSON.stringify(attributes)).not.toContain("secret argument");
  });

  it("puts an intercept (a gateway's relay to a backend) in a span of its own, before any dispatch", async () => {
    const { tracer, events, attributes } = recorder();
    const worker = createMcpWorker({
      name: "relaying",
      version: "1",
      transport: "stateless",
      audit: false,
      tracer,
      setup: () => {},
      intercept: async (req) => {
        await req.authorize(["tools.read"]);
        return Response.json({ jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "relayed" }] } });
      },
    });
    const res = await call(worker as ReturnType<typeof workerWith>, "modern");
    expect(await res.text()).toContain("relayed");
    expect(events).toEqual(["enter mcp.authenticate", "exit mcp.authenticate", "enter mcp.intercept", "exit mcp.intercept"]);
    expect(attributes["mcp.intercept"]).toEqual({ "mcp.method": "tools/call" });
  });

  it("runs on Workers' own tracing by default, which local workerd accepts (and records nothing)", async () => {
    const res = await call(workerWith(WORKERS_TRACER), "modern");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("secret argument");
  });

  it("enters no span inside a span that is not traced (a request head sampling left out), running the stage as it is", () => {
    let inner: unknown;
    // Local workerd traces nothing: a span it enters reports isTraced false, as an unsampled request's does.
    const result = tracing.enterSpan("handler", () => WORKERS_TRACER.enterSpan("mcp.dispatch", (span) => ((inner = span), span.setAttribute("mcp.era", "modern"), 42)));
    expect(result).toBe(42);
    expect(inner).not.toBe(undefined);
    expect((inner as { isTraced?: unknown }).isTraced).toBeUndefined(); // not a Workers span: none was entered
  });

  it("refuses a tracer that is not one, naming the option", () => {
    expect(() => createMcpWorker({ name: "x", version: "1", transport: "stateless", setup: () => {}, tracer: {} as never })).toThrow(/option "tracer"/);
  });
});
