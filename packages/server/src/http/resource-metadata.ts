import { createProtectedResourceMetadata } from "@edge-mcp/auth";
import type { ServerConfig } from "../base/config.ts";
import { NotFoundError } from "../base/errors.ts";
import { advertisedScopes } from "./challenge.ts";

/** Where RFC 9728 protected resource metadata is served: the prefix, and the prefix + the resource's path. */
export const PRM_PREFIX = "/.well-known/oauth-protected-resource";

/**
 * The RFC 9728 metadata document of this server (§3: at the well-known prefix followed by the
 * resource's path), built once per config: which authorization server to use, the scopes.
 */
export function createResourceMetadataResponder(options: { readonly resourceName: string; readonly resourceDocumentation?: string; readonly scopes: readonly string[] }): (config: ServerConfig, path: string) => Response {
  const metadataByConfig = new WeakMap<ServerConfig, ReturnType<typeof createProtectedResourceMetadata>>();
  return (config, path) => {
    const resourcePath = config.resourcePath === "/" ? "" : config.resourcePath;
    if (path !== PRM_PREFIX && path !== `${PRM_PREFIX}${resourcePath}`) {
      throw new NotFoundError("No protected resource metadata here.");
    }
    let metadata = metadataByConfig.get(config);
    if (metadata === undefined) {
      metadata = createProtectedResourceMetadata({
        resource: config.resource,
        authorizationServers: config.auth.disabled ? [config.resourceOrigin] : [config.auth.issuer],
        scopesSupported: [...advertisedScopes(config, options.scopes)],
        resourceName: options.resourceName,
        ...(options.resourceDocumentation === undefined ? {} : { resourceDocumentation: options.resourceDocumentation }),
      });
      metadataByConfig.set(config, metadata);
    }
    return Response.json(metadata, { headers: { "cache-control": "public, max-age=3600" } });
  };
}
