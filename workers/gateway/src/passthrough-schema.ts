import type { StandardSchemaWithJSON } from "@modelcontextprotocol/server";

/**
 * A backend tool's JSON Schema, shown to clients as the backend wrote it and not validated at the
 * gateway: the backend validates its own input (and output) on every call, so checking twice
 * would only cost time — and a gateway-side validator could disagree with the backend's.
 */
export function passthroughSchema(schema: Record<string, unknown>): StandardSchemaWithJSON {
  return {
    "~standard": {
      version: 1,
      vendor: "edge-mcp-gateway",
      validate: (value: unknown) => ({ value }),
      jsonSchema: { input: () => schema, output: () => schema },
    },
  } as unknown as StandardSchemaWithJSON;
}
