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
