import type { CallerIdentity, EdgeMcpServer } from "@edge-mcp/server";
import { ProtocolError, ResourceTemplate, type Prompt, type Resource, type ResourceTemplateType, type ServerContext } from "@modelcontextprotocol/server";
import type { BackendTarget } from "./backend-target.ts";
import type { Catalog } from "./catalog.ts";
import { NAME_SEPARATOR } from "./naming.ts";
import { passthroughSchema } from "./passthrough-schema.ts";
import type { Policy } from "./policy.ts";
import { relay } from "./relay.ts";

/** A prompt's arguments as the JSON Schema the SDK turns back into the same argument list. */
function argumentsSchema(prompt: Prompt): Record<string, unknown> {
  const args = prompt.arguments ?? [];
  return {
    type: "object",
    properties: Object.fromEntries(args.map((a) => [a.name, { type: "string", ...(a.description === undefined ? {} : { description: a.description }) }])),
    required: args.filter((a) => a.required === true).map((a) => a.name),
  };
}

/** One prompts/get or resources/read relayed to its backend for the caller; its error passed on as it is. */
async function relayed(target: BackendTarget, method: string, params: Record<string, unknown>, ctx: ServerContext, caller: CallerIdentity, timeoutMs: number): Promise<never> {
  const outcome = await relay(target, { method, params, caller, signal: ctx.mcpReq.signal, timeoutMs, onNotification: (n) => ctx.mcpReq.notify(n as never) });
  if (outcome.kind === "error") throw new ProtocolError(outcome.code, outcome.message, outcome.data);
  const { resultType: _r, ttlMs: _t, cacheScope: _c, _meta: _m, ...result } = outcome.result;
  return result as never;
}

/**
 * The prompts, resources and resource templates the caller's rules allow — by the rules' own
 * `prompts` and `resources` patterns (deny wins), never because a tool of the backend is allowed:
 * prompts under `{backend}__{prompt}`, resources and resource templates under their own URIs (so a
 * URI a tool returned stays readable through the gateway). A URI two backends both list is served
 * by neither: a read must never reach the wrong backend. What a caller may not use is not
 * registered at all: reading or getting it is answered like a name that does not exist.
 */
export async function registerGatewayPromptsAndResources(
  mcp: EdgeMcpServer,
  catalog: Catalog,
  targets: ReadonlyMap<string, BackendTarget>,
  policy: Policy,
  caller: CallerIdentity,
  timeoutMs: number,
): Promise<void> {
  const reaching = (kind: "prompts" | "resources") => [...targets.values()].filter((t) => policy.reaches(t.name, kind));
  const [promptBackends, resourceBackends] = [reaching("prompts"), reaching("resources")];
  if (promptBackends.length === 0 && resourceBackends.length === 0) return;
  const narrowed = { subject: caller.subject, clientId: caller.clientId, scopes: policy.scopes };
  const [prompts, resources, templates] = await Promise.all([
    promptBackends.length === 0 ? new Map<string, readonly Prompt[]>() : catalog.listsOf<Prompt>("prompts", promptBackends, caller),
    resourceBackends.length === 0 ? new Map<string, readonly Resource[]>() : catalog.listsOf<Resource>("resources", resourceBackends, caller),
    resourceBackends.length === 0 ? new Map<string, readonly ResourceTemplateType[]>() : catalog.listsOf<ResourceTemplateType>("resourceTemplates", resourceBackends, caller),
  ]);
  for (const [backend, list] of prompts) {
    const target = targets.get(backend)!;
    for (const prompt of list) {
      if (!policy.allowsItem("prompts", backend, prompt.name)) continue;
      mcp.server.registerPrompt(
        `${backend}${NAME_SEPARATOR}${prompt.name}`,
        {
          ...(prompt.title === undefined ? {} : { title: prompt.title }),
          ...(prompt.description === undefined ? {} : { description: prompt.description }),
          ...(prompt.arguments === undefined || prompt.arguments.length === 0 ? {} : { argsSchema: passthroughSchema(argumentsSchema(prompt)) }),
        },
        ((...args: unknown[]) => {
          const ctx = args.at(-1) as ServerContext;
          const values = args.length > 1 ? (args[0] as Record<string, string>) : undefined;
          return relayed(target, "prompts/get", { name: prompt.name, ...(values === undefined ? {} : { arguments: values }) }, ctx, narrowed, timeoutMs);
        }) as never,
      );
    }
  }
  // Ownership is decided over every listed resource, allowed or not: a URI another backend also
  // claims stays unserved whatever this caller may see.
  const uriOwners = new Map<string, string[]>();
  for (const [backend, list] of resources) for (const r of list) uriOwners.set(r.uri, [...(uriOwners.get(r.uri) ?? []), backend]);
  for (const [backend, list] of resources) {
    const target = targets.get(backend)!;
    for (const resource of list) {
      if (uriOwners.get(resource.uri)!.length > 1 || !policy.allowsItem("resources", backend, resource.name)) continue;
      const { uri, name, ...metadata } = resource;
      mcp.server.registerResource(`${backend}${NAME_SEPARATOR}${name}`, uri, metadata, (href, ctx) => relayed(target, "resources/read", { uri: href.href }, ctx, narrowed, timeoutMs));
    }
  }
  for (const [backend, list] of templates) {
    const target = targets.get(backend)!;
    for (const template of list) {
      if (!policy.allowsItem("resources", backend, template.name)) continue;
      const { uriTemplate, name, ...metadata } = template;
      mcp.server.registerResource(
        `${backend}${NAME_SEPARATOR}${name}`,
        new ResourceTemplate(uriTemplate, { list: undefined }),
        metadata,
        (href, _variables, ctx) => relayed(target, "resources/read", { uri: href.href }, ctx, narrowed, timeoutMs),
      );
    }
  }
}
