// The public surface of @edge-mcp/lint (Node tooling).
export { houseRuleProblems, sourceFiles } from "./house-rules.ts";
export { lockfilePlatformProblems, NATIVE_PACKAGES, type Lockfile } from "./lockfile-platforms.ts";
