declare namespace Cloudflare {
  interface Env {
    JWKS_KV: KVNamespace;
  }
}
