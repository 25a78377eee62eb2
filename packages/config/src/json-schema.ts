import { z } from "zod";
import { GatewayConfigSchema } from "./gateway-schema.ts";
import { EcosystemSchema, ServerManifestSchema } from "./schemas.ts";

/** JSON Schemas (draft 2020-12) of the config files, for editor completion via `$schema`. */
export function configJsonSchemas(): Record<"ecosystem.schema.json" | "mcp.schema.json" | "gateway.schema.json", unknown> {
  const render = (schema: z.ZodType, title: string) => ({ ...z.toJSONSchema(schema, { io: "input" }), title });
  return {
    "ecosystem.schema.json": render(EcosystemSchema, "edge-mcp ecosystem.json"),
    "mcp.schema.json": render(ServerManifestSchema, "edge-mcp workers/<slug>/mcp.json"),
    "gateway.schema.json": render(GatewayConfigSchema, "edge-mcp workers/gateway/gateway.json"),
  };
}
