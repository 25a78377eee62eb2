// The public surface of @edge-mcp/dev (Node tooling).
export { renderDevSummary } from "./connect-instructions.ts";
export { DEV_ALLOWED_ORIGINS, startDevEnvironment, type DevEnvironment, type DevEnvironmentOptions, type RunningServer } from "./dev-environment.ts";
export { assertPortFree, freePort, waitForHttp } from "./ports.ts";
export { bundleWorker, type Bundle } from "./bundle.ts";
export { binOf, startWranglerDev, type WranglerDev, type WranglerDevOptions } from "./wrangler-dev.ts";
