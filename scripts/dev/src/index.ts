// The public surface of @edge-mcp/dev (Node tooling).
export { renderDevSummary, tokenCommand } from "./connect-instructions.ts";
export { createCli, examplesText, InvalidArgumentError, portNumber, runCli, USAGE_EXIT_CODE, usageLine, wholeNumber } from "./cli-kit.ts";
export { isAlive, killGroup, startChildReaper, type ChildReaper } from "./child-reaper.ts";
export { FACADE_BINDING, FACADE_WORKER } from "./facade-names.ts";
export { startDevEnvironment, type DevEnvironment, type DevEnvironmentOptions, type RunningServer } from "./dev-environment.ts";
export { DEV_ALLOWED_ORIGINS } from "./server-launch.ts";
export { DevUsageError, planPorts, type PortPlan, type PortRequest } from "./port-plan.ts";
export { assertPortFree, busyPorts, freePort, portsInUseError, waitForHttp, type PortClaim } from "./ports.ts";
export { bundleWorker, type Bundle } from "./bundle.ts";
export { binOf, startWranglerDev, type WranglerDev, type WranglerDevOptions } from "./wrangler-dev.ts";
