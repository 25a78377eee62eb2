declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../src/index.ts");
  }
  interface Env {
    NOTES: DurableObjectNamespace<import("../src/notes-store.ts").NotesStore>;
  }
}
