import { z } from "zod";
import { optionError } from "./option-error.ts";
import { ResourceUrlSchema, SecureUrlSchema } from "./secure-url.ts";

/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728 §2), as every edge-mcp server publishes it
 * at `/.well-known/oauth-protected-resource[/<path>]`.
 */
export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  readonly scopes_supported: readonly string[];
  readonly bearer_methods_supported: readonly ["header"];
  readonly resource_name?: string;
  readonly resource_documentation?: string;
}

const OptionsSchema = z.object({
  resource: ResourceUrlSchema,
  authorizationServers: z.array(SecureUrlSchema).min(1, "must name at least one authorization server"),
  scopesSupported: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, "must be scope tokens (RFC 6749 §3.3)")),
  resourceName: z.string().min(1).optional(),
  resourceDocumentation: SecureUrlSchema.optional(),
});

export type ProtectedResourceMetadataOptions = z.input<typeof OptionsSchema>;

/** Builds the metadata document once; throws a TypeError naming the bad option. */
export function createProtectedResourceMetadata(options: ProtectedResourceMetadataOptions): ProtectedResourceMetadata {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw optionError("createProtectedResourceMetadata", parsed.error);
  const o = parsed.data;
  return Object.freeze({
    resource: o.resource,
    authorization_servers: Object.freeze([...o.authorizationServers]),
    scopes_supported: Object.freeze([...new Set(o.scopesSupported)]),
    bearer_methods_supported: Object.freeze(["header"] as const),
    ...(o.resourceName === undefined ? {} : { resource_name: o.resourceName }),
    ...(o.resourceDocumentation === undefined ? {} : { resource_documentation: o.resourceDocumentation }),
  });
}

/**
 * RFC 9728 §3.1: the metadata URL is formed by inserting `/.well-known/oauth-protected-resource`
 * between the host and the path of the resource identifier:
 * `https://notes-mcp.example.com/mcp` → `https://notes-mcp.example.com/.well-known/oauth-protected-resource/mcp`.
 */
export function protectedResourceMetadataUrl(resource: string): string {
  if (!ResourceUrlSchema.safeParse(resource).success) {
    throw new TypeError(`protectedResourceMetadataUrl: "${resource}" is not an https resource URL without query or fragment`);
  }
  const url = new URL(resource);
  const path = url.pathname === "/" ? "" : url.pathname;
  return `${url.origin}/.well-known/oauth-protected-resource${path}`;
}
