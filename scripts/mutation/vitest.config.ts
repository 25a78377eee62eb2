import { defineConfig } from "vitest/config";

// A hang guard, not a performance bound: the planted-mutant tests start real vitest runs, which on a
// loaded 2-core machine (every workspace's tests at once) take well over vitest's 5 s default.
export default defineConfig({ test: { environment: "node", include: ["test/**/*.test.ts"], testTimeout: 60_000 } });
