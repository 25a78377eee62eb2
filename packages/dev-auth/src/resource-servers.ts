import { devResource, serverScopes, type Ecosystem, type ServerManifest } from "@edge-mcp/config";

/** One API ("resource server") of the local tenant: what Auth0 would hold for one MCP server. */
export interface DevResourceServer {
  readonly slug: string;
  readonly name: string;
  /** The API identifier = the worker's MCP_RESOURCE = the access token's `aud`. */
  readonly identifier: string;
  readonly scopes: readonly string[];
}

/** The APIs of the fleet under `npm run dev`, from the same config the provisioner reads. */
export function devResourceServers(ecosystem: Ecosystem, servers: readonly ServerManifest[]): DevResourceServer[] {
  return servers.map((server) => ({
    slug: server.slug,
    name: server.name,
    identifier: devResource(server),
    scopes: serverScopes(ecosystem, server).map((s) => s.value),
  }));
}
