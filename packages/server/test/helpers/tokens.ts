import { createTokenFactory } from "@edge-mcp/testing";
import { inject } from "vitest";

export const RESOURCE = "https://test-mcp.example.test/mcp";
export const ISSUER = "https://tenant.example-auth.test/";
export const PRM_URL = "https://test-mcp.example.test/.well-known/oauth-protected-resource/mcp";

/** Real RS256 tokens signed with the key whose JWKS global-setup serves. */
export const token = createTokenFactory(inject("privateJwk"), { issuer: ISSUER, audience: RESOURCE });
