import { defineConfig } from "vitest/config";

// `npm run test:python`: the Python MCP SDK as a client (installed from PyPI into a venv on first
// run). Kept out of `npm test`, which must run on a machine with only Node and npm.
export default defineConfig({ test: { environment: "node", include: ["test/python/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 600_000 } });
