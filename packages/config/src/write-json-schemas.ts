/** `npm run schemas -w @edge-mcp/config`: regenerates packages/config/schema/*.json from the zod schemas. */
import { writeFileSync } from "node:fs";
import { configJsonSchemas } from "./json-schema.ts";

for (const [file, schema] of Object.entries(configJsonSchemas())) {
  writeFileSync(new URL(`../schema/${file}`, import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote packages/config/schema/${file}`);
}
