// Test kit entry for code running inside workerd (the Node-only globalSetup is "./global-setup").
export { connectMcp, textOf, type ConnectOptions, type TokenHolder } from "./mcp-client.ts";
export { createTokenFactory, type TokenClaims } from "./tokens.ts";
export { countingBody } from "./counting-body.ts";
export { abuseCorpus, type AbuseCase, type AbuseCorpusOptions } from "./abuse-corpus.ts";
import "./provided-context.ts";
