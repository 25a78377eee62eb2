import { defineConfig } from "vitest/config";

export default defineConfig({ test: { environment: "node", include: ["test/**/*.test.ts"], exclude: ["test/browser/**", "test/python/**"], testTimeout: 60_000, hookTimeout: 180_000 } });
