declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../src/index.ts");
  }
  interface Env {
    TASKS: DurableObjectNamespace<import("../src/task-runner.ts").TaskRunner>;
  }
}
