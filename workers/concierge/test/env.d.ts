declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../src/index.ts");
  }
  interface Env {
    TEST_SIGNING_JWK: string;
    AUTH_ISSUER: string;
  }
}
