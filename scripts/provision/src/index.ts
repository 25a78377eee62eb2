// The public surface of @edge-mcp/provision.
export { createApiFetch, type ApiFetchOptions, type FetchLike } from "./api-fetch.ts";
export { desiredState, identifiersFor, type DesiredState } from "./desired-state.ts";
export { BLOCK_BEGIN, BLOCK_END, clientEnvNames, writeManagedEnv } from "./env-file.ts";
export { parseDotEnv, readProvisionEnv, type ProvisionEnv } from "./env.ts";
export { ProvisionError, type ProvisionErrorCode } from "./errors.ts";
export { computePlan, type Change, type Plan } from "./plan.ts";
export { renderPlan, summarize } from "./render-plan.ts";
export { runProvision, type ProvisionOptions, type ProvisionResult } from "./provision.ts";
