declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./fixtures/test-worker.ts");
  }
  interface Env {
    MCP_SESSION: DurableObjectNamespace;
  }
}
