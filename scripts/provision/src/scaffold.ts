import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serverScopes } from "@edge-mcp/config";
import { loadFleet } from "@edge-mcp/config/load";
import { ProvisionError } from "./errors.ts";

const SLUG = /^[a-z][a-z0-9-]{0,39}$/;

/** The files of a new stateless worker with one tool, its test and its manifest. */
function files(slug: string, port: number, scopes: readonly string[]): Record<string, string> {
  const title = slug.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => `${dash ? " " : ""}${c.toUpperCase()}`);
  return {
    "mcp.json": `${JSON.stringify({ $schema: "../../packages/config/schema/mcp.schema.json", name: title, slug, description: `The ${title} MCP server.`, transport: "stateless", scopeProfile: "standard", dev: { port } }, null, 2)}\n`,
    "package.json": `${JSON.stringify({
      name: `@edge-mcp/worker-${slug}`,
      version: "0.1.0",
      private: true,
      type: "module",
      scripts: { dev: "wrangler dev", test: "vitest run", typecheck: "tsc -p tsconfig.json", deploy: "wrangler deploy" },
      dependencies: { "@edge-mcp/server": "0.1.0", zod: "4.6.7" },
      devDependencies: { "@cloudflare/vitest-plugin": "1.4.10", "@cloudflare/workers-types": "5.20261117.1", "@edge-mcp/testing": "0.1.0", vitest: "5.1.1", wrangler: "4.155.0" },
    }, null, 2)}\n`,
    "tsconfig.json": `${JSON.stringify({ extends: "../../tsconfig.base.json", compilerOptions: { types: ["@cloudflare/workers-types", "@cloudflare/vitest-plugin/types"] }, include: ["src", "test", "vitest.config.ts"] }, null, 2)}\n`,
    "wrangler.toml": `# ${slug}-mcp for local development; \`npm run provision -- routes\` renders the production file.\nname = "${slug}-mcp"\nmain = "src/index.ts"\ncompatibility_date = "2026-10-23"\ncompatibility_flags = ["nodejs_compat"]\n# Bundled without esbuild's keep_names: ~9% less CPU per request (bench/keep-names.ts).\nkeep_names = false\n\n[dev]\nport = ${port}\n\n[vars]\nMCP_RESOURCE = "http://localhost:${port}/mcp"\nAUTH_ISSUER = "http://localhost:9400/"\nAUTH_AUDIENCES = "http://localhost:${port}/mcp"\nMCP_SCOPES = "${scopes.join(" ")}"\nENVIRONMENT = "development"\n\n# subscriptions/listen across isolates (MCP 2026-07-28): the list-change bus.\n[[durable_objects.bindings]]\nname = "MCP_EVENTS"\nclass_name = "McpEventBus"\n\n[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["McpEventBus"]\n\n[alias]\n"ajv" = "@edge-mcp/server/ajv-stub"\n"ajv-formats" = "@edge-mcp/server/ajv-stub"\n`,
    "vitest.config.ts": `import { workerTestConfig } from "@edge-mcp/testing/vitest-config";\n\nexport default workerTestConfig({ resource: "https://${slug}-mcp.example.test/mcp" });\n`,
    "src/index.ts": `import { createMcpWorker } from "@edge-mcp/server";\nimport { z } from "zod";\n\nconst worker = createMcpWorker({\n  name: "${slug}",\n  version: "0.1.0",\n  transport: "stateless",\n  setup(mcp) {\n    mcp.tool(\n      "greet",\n      { description: "Greet someone.", inputSchema: { name: z.string().min(1).max(100) }, annotations: { readOnlyHint: true } },\n      ({ name }, extra) => ({ content: [{ type: "text", text: \`Hello, \${name} (from \${extra.auth.subject})\` }] }),\n    );\n  },\n});\n\nexport default { fetch: worker.fetch };\n// What an edge-mcp gateway binds to (service binding, never the internet): add this server to\n// workers/gateway/gateway.json's backends and a rule, and its tools appear there.\nexport const McpBackend = worker.McpBackend;\nexport { McpEventBus } from "@edge-mcp/server";\n`,
    "test/env.d.ts": `declare namespace Cloudflare {\n  interface GlobalProps {\n    mainModule: typeof import("../src/index.ts");\n  }\n}\n`,
    [`test/${slug}.test.ts`]: `import { exports } from "cloudflare:workers";\nimport { connectMcp, createTokenFactory, textOf } from "@edge-mcp/testing";\nimport { describe, expect, inject, it } from "vitest";\n\nconst RESOURCE = "https://${slug}-mcp.example.test/mcp";\nconst token = createTokenFactory(inject("privateJwk"), { issuer: "https://tenant.example-auth.test/", audience: RESOURCE });\n\ndescribe("${slug}-mcp", () => {\n  it("greets the caller through a real MCP client", async () => {\n    const { client } = await connectMcp({ url: RESOURCE, fetch: (r) => exports.default.fetch(r), holder: { token: await token({ sub: "auth0|ada" }) } });\n    expect(textOf(await client.callTool({ name: "greet", arguments: { name: "Ada" } }))).toBe("Hello, Ada (from auth0|ada)");\n    await client.close();\n  });\n\n  it("answers 401 without a token", async () => {\n    const res = await exports.default.fetch(new Request(RESOURCE, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }));\n    expect(res.status).toBe(401);\n  });\n});\n`,
    "README.md": `# ${slug}-mcp (\`workers/${slug}\`)\n\nScaffolded by \`npm run provision -- new ${slug}\`. Stateless; one tool, \`greet\` (\`tools.read\`).\n\n\`\`\`sh\nnpm install && npm test -w @edge-mcp/worker-${slug}\nnpm run dev -- --only ${slug}\n\`\`\`\n`,
  };
}

/** `new <slug>`: a worker that passes its tests as created, on the next free dev port. */
export function scaffoldWorker(root: string, slug: string, { dryRun = false } = {}): string[] {
  if (!SLUG.test(slug)) throw new ProvisionError("config_invalid", `"${slug}" is not a valid slug: lowercase letters, digits and dashes, starting with a letter.`);
  const dir = join(root, "workers", slug);
  if (existsSync(dir)) throw new ProvisionError("config_invalid", `workers/${slug} already exists.`);
  const fleet = loadFleet(root);
  // Ports in use locally: the servers', and the API workers' their apis start under npm run dev.
  const apiPorts = fleet.servers.flatMap((s) => Object.values(s.manifest.apis).flatMap((api) => (api.dev === undefined ? [] : [Number(new URL(api.dev.baseUrl).port)])));
  const used = new Set([fleet.ecosystem.dev.issuerPort, ...fleet.servers.map((s) => s.manifest.dev.port), ...apiPorts]);
  let port = Math.max(8786, ...fleet.servers.map((s) => s.manifest.dev.port)) + 1;
  while (used.has(port)) port += 1;
  const manifest = { slug, name: slug, transport: "stateless" as const, scopeProfile: "standard" as const, extraScopes: [], grants: {}, durableObjects: [], apis: {}, dev: { port } };
  const all = files(slug, port, serverScopes(fleet.ecosystem, manifest).map((s) => s.value));
  if (!dryRun) {
    for (const [path, content] of Object.entries(all)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
  }
  return Object.keys(all).map((p) => `workers/${slug}/${p}`);
}
