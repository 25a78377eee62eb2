import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { CONSOLE_AUDIENCE, CONSOLE_CLIENT_SECRET, CONSOLE_SESSION_KEY } from "./test/console-test-env.ts";

// The console inside workerd against its own wrangler.toml, signing in at the real local
// authorization server the global setup starts.
export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          CONSOLE_ISSUER: inject("consoleIssuer"),
          CONSOLE_AUDIENCE,
          CONSOLE_CLIENT_SECRET,
          CONSOLE_SESSION_KEY,
          CONSOLE_SIGNING_JWK: inject("consoleSigningJwk"),
          FLEET_SERVERS: "",
          ENVIRONMENT: "test",
        },
      },
    })),
  ],
  test: { globalSetup: ["./test/global-setup.ts"], include: ["test/**/*.test.ts"], testTimeout: 60_000, isolate: false },
});
