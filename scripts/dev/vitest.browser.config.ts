import { defineConfig } from "vitest/config";

// `npm run test:browser`: sign-in pages in a real Chromium (Debian's `chromium` package, driven by
// playwright-core). Kept out of `npm test`, which must run on a machine with only Node and npm.
export default defineConfig({ test: { environment: "node", include: ["test/browser/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 180_000 } });
