declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./fixtures/test-worker.ts");
  }
  interface Env {
    MCP_SESSION: DurableObjectNamespace;
  }
}

/** Vite's `import.meta.glob` (test/layering.test.ts reads src/ through it: workerd has no file system). */
interface ImportMeta {
  glob(pattern: string, options: { query: "?raw"; import: "default"; eager: true }): Record<string, unknown>;
}
