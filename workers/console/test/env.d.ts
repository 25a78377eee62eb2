declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../src/index.ts");
  }
  interface Env {
    CONSOLE_ISSUER: string;
    CONSOLE_SIGNING_JWK: string;
    TELEMETRY_STORE: DurableObjectNamespace<import("../src/local-store.ts").TelemetryStore>;
  }
}

/** Vite's `import.meta.glob` (test/operations-doc.test.ts reads docs/ through it: workerd has no file system). */
interface ImportMeta {
  glob(pattern: string, options: { query: "?raw"; import: "default"; eager: true }): Record<string, unknown>;
}
