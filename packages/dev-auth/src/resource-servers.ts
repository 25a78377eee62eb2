import { devResource, serverGrants, serverScopes, type Ecosystem, type ServerManifest } from "@edge-mcp/config";

/** One API ("resource server") of the local tenant: what Auth0 would hold for one MCP server. */
export interface DevResourceServer {
  readonly slug: string;
  readonly name: string;
  /** The API identifier = the worker's MCP_RESOURCE = the access token's `aud`. */
  readonly identifier: string;
  readonly scopes: readonly string[];
  /**
   * Machine clients (ecosystem.json key) → the scopes their client-credentials tokens may carry
   * for this API. Empty when the API's access policy denies machine clients (`client: "deny_all"`),
   * as Auth0's `subject_type_authorization.client.policy` does.
   */
  readonly machineGrants?: Readonly<Record<string, readonly string[]>>;
}

/** The APIs of the fleet under `npm run dev`, from the same config the provisioner reads. */
export function devResourceServers(ecosystem: Ecosystem, servers: readonly ServerManifest[]): DevResourceServer[] {
  return servers.map((server) => {
    const policy = { ...ecosystem.defaults.accessPolicy, ...server.accessPolicy };
    const machine = policy.client === "deny_all" ? [] : serverGrants(ecosystem, server).grants.filter((g) => g.subjectType === "client");
    return {
      slug: server.slug,
      name: server.name,
      identifier: devResource(server),
      scopes: serverScopes(ecosystem, server).map((s) => s.value),
      machineGrants: Object.fromEntries(machine.map((g) => [g.client, g.scopes])),
    };
  });
}

/** The ecosystem's machine-to-machine clients (profile `service_m2m`), by key. */
export function machineClientKeys(ecosystem: Ecosystem): string[] {
  return Object.entries(ecosystem.clients).filter(([, c]) => c.profile === "service_m2m").map(([key]) => key);
}
