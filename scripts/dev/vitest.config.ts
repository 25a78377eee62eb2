import { defineConfig } from "vitest/config";

// Two files at once: most of a file's time is waiting on the fleet it started (wrangler, workerd, sign-ins).
export default defineConfig({ test: { environment: "node", include: ["test/**/*.test.ts"], exclude: ["test/browser/**", "test/python/**"], testTimeout: 60_000, hookTimeout: 180_000, maxWorkers: 2 } });
